//! Timing statistics from samples.

/// Count, min, median, mean, p99, max and standard deviation of a set of samples (any unit; the
/// benches use nanoseconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Number of samples.
    pub count: usize,
    /// Smallest sample.
    pub min: f64,
    /// Middle sample (mean of the two middle ones for an even count).
    pub median: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// 99th percentile, nearest rank.
    pub p99: f64,
    /// Largest sample.
    pub max: f64,
    /// Population standard deviation.
    pub std_dev: f64,
}

impl Summary {
    /// Summarises `samples` (sorted in place; NaNs sort last). `None` for no samples.
    pub fn from_samples(samples: &mut [f64]) -> Option<Summary> {
        let count = samples.len();
        if count == 0 {
            return None;
        }
        samples.sort_by(f64::total_cmp);
        let at = |i: usize| samples.get(i).copied().unwrap_or(f64::NAN);
        let median =
            if !count.is_multiple_of(2) { at(count / 2) } else { (at(count / 2 - 1) + at(count / 2)) / 2.0 };
        let mean = samples.iter().sum::<f64>() / count as f64;
        let variance = samples.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / count as f64;
        // Nearest rank: the smallest sample with at least 99% of samples at or below it.
        let rank = (0.99 * count as f64).ceil() as usize;
        Some(Summary {
            count,
            min: at(0),
            median,
            mean,
            p99: at(rank.saturating_sub(1)),
            max: at(count - 1),
            std_dev: variance.sqrt(),
        })
    }

    /// Times `operation` `iterations` times, one sample per call, in nanoseconds.
    pub fn time<T>(iterations: usize, mut operation: impl FnMut() -> T) -> Option<Summary> {
        let mut samples = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = std::time::Instant::now();
            std::hint::black_box(operation());
            samples.push(start.elapsed().as_nanos() as f64);
        }
        Summary::from_samples(&mut samples)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_samples() {
        let mut samples: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let s = Summary::from_samples(&mut samples).unwrap();
        assert_eq!((s.count, s.min, s.max), (100, 1.0, 100.0));
        assert_eq!(s.median, 50.5);
        assert_eq!(s.mean, 50.5);
        assert_eq!(s.p99, 99.0);
        assert!((s.std_dev - 28.866_070_047_722_12).abs() < 1e-9);

        let s = Summary::from_samples(&mut [5.0, 1.0, 3.0]).unwrap();
        assert_eq!((s.median, s.p99, s.std_dev), (3.0, 5.0, (8.0f64 / 3.0).sqrt()));
        assert!(Summary::from_samples(&mut []).is_none());
    }

    #[test]
    fn timing_gives_one_sample_per_call() {
        let mut calls = 0;
        let s = Summary::time(7, || calls += 1).unwrap();
        assert_eq!((s.count, calls), (7, 7));
        assert!(s.min <= s.median && s.median <= s.max);
    }
}
