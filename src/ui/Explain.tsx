// Plain-language explanations, each placed next to the chart it explains, for a reader who
// has never opened the paper (Katharopoulos & Fleuret, ICML 2018).
import { findSamplerInfo } from '../is/catalogue';

export function ExplainLoss() {
  return (
    <>
      <p>
        <strong>Fair race.</strong> Both runs start from the same weights and see the same data. The importance run’s own
        batch loss is weighted and taken on hard samples, so it is not shown here: both lines are the loss on the same
        fixed set of training images. The “own clock” counts only each run’s own work, scoring included, so
        the run that is lower at the same time is the one that learns faster for the compute spent.
      </p>
      <p>
        <strong>Look for</strong> the curves parting: on the log scale a steady gap is a steady factor. Early on they
        overlap (every sample is still hard, so there is little to choose); if importance sampling pays, its line drops
        below after a few epochs and stays there. The readout above gives the gap as numbers.
      </p>
    </>
  );
}

export function ExplainAccuracy() {
  return (
    <>
      <p>
        <strong>Held-out check.</strong> Accuracy and loss on test images neither run trains on. Importance sampling
        should reach the same accuracy sooner, not a different one: it changes how fast training gets there, not where it
        ends.
      </p>
      <p>
        <strong>Look for</strong> the same order as in the training loss. A run that is ahead on training loss but not here
        is fitting the training set, not learning more: with label noise on, this is where it shows.
      </p>
    </>
  );
}

export function ExplainTau() {
  return (
    <>
      <p>
        <strong>τ (tau)</strong> estimates how much less noisy an importance-sampled batch is, as a batch-size factor: τ
        = 2 means a batch of <var>b</var> chosen by importance is worth about 2<var>b</var> chosen uniformly. It comes from
        the scores the sampler draws by (the presample’s, or the whole score table’s); if every sample scores the same,
        τ = 1 and there is nothing to gain. The thin line is each step’s estimate, the thick one its moving average.
      </p>
      <p>
        <strong>
          τ<sub>th</sub>
        </strong>{' '}
        is the break-even point. Scoring the <var>B</var> presampled images costs about <var>B</var> forward passes, about
        as much as <var>B</var>/3 samples of training, so importance sampling only pays when τ &gt; τ<sub>th</sub> = (
        <var>B</var> + 3<var>b</var>) / 3<var>b</var>. The score table scores nothing extra, so for it τ<sub>th</sub> =
        1. In <em>auto</em> mode the run trains uniformly (τ is then free to compute) until τ crosses the line, then
        switches importance sampling on: the shaded stretches. “Measured” replaces the cost model by this device’s own
        timings.
      </p>
      <p>
        <strong>Look for</strong> τ rising as the model learns (easy samples drop out of the scores, the rest stand out),
        the moment it crosses τ<sub>th</sub>, and whether it stays above: a τ hovering near the line switches importance
        sampling on and off.
      </p>
    </>
  );
}

export function ExplainScores() {
  return (
    <>
      <p>
        <strong>The upper bound.</strong> The ideal score of a sample is the size of its gradient, which needs a full
        backward pass per sample: far too expensive. The paper shows it is bounded, up to a factor shared by all samples, by
        ‖softmax(<var>z</var>) − <var>y</var>‖: the distance between the model’s predicted probabilities and the true
        label. The forward pass gives it for free. Confidently right samples score near 0, confidently wrong ones near
        √2.
      </p>
      <p>
        <strong>Look for</strong> the histogram piling up near 0 with a long tail to the right: that tail is what
        importance sampling draws from. When every bar is alike there is nothing to gain (τ near 1).
      </p>
    </>
  );
}

export function ExplainWeights() {
  return (
    <>
      <p>
        <strong>The weights.</strong> Drawing hard samples more often would bias training towards them, so each drawn
        sample counts with weight <var>w</var> = 1 / (<var>n</var>·<var>p</var>), where <var>p</var> is its chance of being
        drawn and <var>n</var> the number of samples it was drawn from: the <var>B</var> presampled ones, or all{' '}
        <var>N</var> training samples for the score table. Often-drawn hard samples get <var>w</var> &lt; 1, rarely drawn
        easy ones <var>w</var> &gt; 1; on average the gradient is the same as with uniform sampling (w = 1 for every
        sample), only less noisy.
      </p>
      <p>
        <strong>Look for</strong> how far the weights spread around the line at w = 1. A few very large weights (rare
        easy samples drawn by chance) make steps jumpy; smoothing narrows the spread.
      </p>
    </>
  );
}

export function ExplainClasses() {
  return (
    <>
      <p>
        <strong>Where the effort goes.</strong> Uniform batches follow the class frequencies. Importance sampling spends
        its batches on the classes the model still confuses; the weights undo that bias in the gradient.
      </p>
      <p>
        <strong>Look for</strong> the importance run’s bars standing above uniform’s for the classes the model still
        gets wrong, and for a class made rare (the “Imbalanced classes” preset): uniform draws it at its small share,
        importance sampling above it until the model gets it right.
      </p>
    </>
  );
}

export function ExplainNoise() {
  return (
    <>
      <p>
        <strong>A known weak spot.</strong> A sample with a wrong label never becomes easy, so its score stays high and
        importance sampling keeps drawing it. Compare the importance run’s share with the data’s.
      </p>
      <p>
        <strong>Look for</strong> the importance run’s bar climbing above the data’s share while uniform’s stays on it.
        Every batch slot given to a wrong label is lost to learning; a larger smoothing c keeps it lower.
      </p>
    </>
  );
}

/** The sampler in use, in the library catalogue's words. */
export function ExplainSampler({ sampler }: { sampler: string }) {
  const info = findSamplerInfo(sampler);
  if (!info) return null;
  return (
    <p>
      <strong>{info.label}.</strong> {info.description}
    </p>
  );
}
