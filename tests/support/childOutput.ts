// The ending shared by the WebGPU child processes: the parent test reads one JSON line from
// stdout. A child that throws still prints one, with ok: false and the stack, and exits 1.

export function printChildResult(result: Promise<unknown>): void {
  result
    .then((out) => {
      console.log(JSON.stringify(out));
      process.exit(0);
    })
    .catch((e: unknown) => {
      console.log(JSON.stringify({ ok: false, reason: `child failed: ${e instanceof Error ? e.stack : String(e)}` }));
      process.exit(1);
    });
}
