// Reweighting (docs/method.md §2): a sample drawn with probability p from a set of n counts
// with weight w = 1 / (n·p). Then E[w·ℓ] = Σ_i p_i · ℓ_i / (n·p_i) = the set's plain mean
// loss, and likewise for the gradient: importance sampling changes the variance of the
// gradient estimate, not its expectation. The presample sampler's set is the B presampled
// samples, the score table's the whole training set (n = N).

/** The unbiasing weight 1 / (n·p) of a sample drawn with probability p from a set of n. */
export function importanceWeight(p: number, n: number): number {
  return 1 / (n * p);
}

/** importanceWeight for each drawn sample's probability, as the float32 weights training uses. */
export function importanceWeights(probabilities: ArrayLike<number>, n: number): Float32Array {
  const weights = new Float32Array(probabilities.length);
  for (let k = 0; k < probabilities.length; k++) weights[k] = importanceWeight(probabilities[k], n);
  return weights;
}
