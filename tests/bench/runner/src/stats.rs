//! Medians with min and max, the only statistic the report shows.

use std::collections::BTreeMap;

use serde::Serialize;

/// The median of some samples, with their range.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl Summary {
    /// `None` for no samples.
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        Some(Self { median, min: v[0], max: v[n - 1], n })
    }

    /// `median (min–max)` with `digits` decimals; a single sample shows alone.
    pub fn fmt(&self, digits: usize) -> String {
        if self.n == 1 || (self.min == self.max) {
            format!("{:.digits$}", self.median)
        } else {
            format!("{:.digits$} ({:.digits$}–{:.digits$})", self.median, self.min, self.max)
        }
    }
}

/// Named metrics of several runs, gathered by name.
#[derive(Debug, Default, Clone)]
pub struct Samples(BTreeMap<String, Vec<f64>>);

impl Samples {
    /// Adds every metric of one run.
    pub fn add_all(&mut self, metrics: &BTreeMap<String, f64>) {
        for (k, v) in metrics {
            self.0.entry(k.clone()).or_default().push(*v);
        }
    }

    /// Adds one value.
    pub fn add(&mut self, name: &str, value: f64) {
        self.0.entry(name.to_owned()).or_default().push(value);
    }

    /// The summaries of every metric.
    pub fn summaries(&self) -> BTreeMap<String, Summary> {
        self.0.iter().filter_map(|(k, v)| Summary::of(v).map(|s| (k.clone(), s))).collect()
    }
}

/// Microseconds as milliseconds.
pub fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(Summary::of(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
        let s = Summary::of(&[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.n), (2.5, 1.0, 4.0, 4));
        assert!(Summary::of(&[]).is_none());
        assert_eq!(Summary::of(&[1.0, 2.0, 9.0]).unwrap().fmt(1), "2.0 (1.0–9.0)");
    }
}
