import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
globalThis.navigator = { gpu: create([]) };
globalThis.window ??= globalThis;
const tf = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-webgpu');
const adapter = await navigator.gpu.requestAdapter();
console.log('adapter', adapter && adapter.info?.description, adapter?.info?.vendor);
console.log(await tf.setBackend('webgpu'), tf.getBackend());
const a = tf.randomNormal([64, 28, 28, 1]);
const m = tf.sequential({layers:[tf.layers.conv2d({inputShape:[28,28,1],filters:8,kernelSize:3,activation:'relu'}), tf.layers.flatten(), tf.layers.dense({units:10})]});
const opt = tf.train.adam(1e-3);
const y = tf.oneHot(tf.randomUniform([64],0,10,'int32'),10);
for (let i=0;i<4;i++){ const t=performance.now(); const l = opt.minimize(()=>tf.losses.softmaxCrossEntropy(y, m.apply(a)), true); console.log(i, (await l.data())[0], (performance.now()-t).toFixed(0),'ms'); l.dispose(); }
await tf.setBackend('cpu');
for (let i=0;i<3;i++){ const t=performance.now(); const l = opt.minimize(()=>tf.losses.softmaxCrossEntropy(y, m.apply(a)), true); console.log('cpu', i, (await l.data())[0], (performance.now()-t).toFixed(0),'ms'); l.dispose(); }
process.exit(0);
