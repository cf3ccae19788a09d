// Browser-only: the three tfjs-backend-wasm binaries as assets of the build (Vite copies each
// into assets/ with a content hash and gives its URL), handed to startWasm on import. The
// worker imports this module; Node scripts never do (they load the binaries from the package).
// Served as application/wasm, they compile under a Content-Security-Policy whose script-src
// allows 'wasm-unsafe-eval' (index.html).
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { setDefaultWasmPaths, type WasmPaths } from './wasm';

export const WASM_ASSET_PATHS: WasmPaths = {
  'tfjs-backend-wasm.wasm': plainUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
};

setDefaultWasmPaths(WASM_ASSET_PATHS);
