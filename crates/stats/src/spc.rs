//! Shewhart attribute charts: the p-chart (fraction defective per sample of equal size) and the c-chart (defects
//! per unit), with three-sigma limits and the limits revised after dropping out-of-control samples.

/// A chart's centre and limits, the samples outside them (1-based), and the revised centre and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeChart {
    pub center: f64,
    pub lower: f64,
    pub upper: f64,
    pub out_of_control: Vec<usize>,
    pub revised_center: f64,
    pub revised_lower: f64,
    pub revised_upper: f64,
}

fn chart(values: &[f64], limits: impl Fn(f64) -> (f64, f64)) -> AttributeChart {
    let center = values.iter().sum::<f64>() / values.len() as f64;
    let (lower, upper) = limits(center);
    let out_of_control: Vec<usize> =
        values.iter().enumerate().filter(|(_, v)| **v < lower || **v > upper).map(|(i, _)| i + 1).collect();
    let kept: Vec<f64> =
        values.iter().enumerate().filter(|(i, _)| !out_of_control.contains(&(i + 1))).map(|(_, v)| *v).collect();
    let revised_center = kept.iter().sum::<f64>() / kept.len().max(1) as f64;
    let (revised_lower, revised_upper) = limits(revised_center);
    AttributeChart { center, lower, upper, out_of_control, revised_center, revised_lower, revised_upper }
}

/// The p-chart of defectives in samples of `sample_size`.
pub fn p_chart(defectives: &[u64], sample_size: u64) -> AttributeChart {
    let n = sample_size as f64;
    let fractions: Vec<f64> = defectives.iter().map(|&d| d as f64 / n).collect();
    chart(&fractions, |p| {
        let width = 3.0 * (p * (1.0 - p) / n).sqrt();
        ((p - width).max(0.0), (p + width).min(1.0))
    })
}

/// The c-chart of defect counts.
pub fn c_chart(counts: &[u64]) -> AttributeChart {
    let values: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
    chart(&values, |c| ((c - 3.0 * c.sqrt()).max(0.0), c + 3.0 * c.sqrt()))
}
