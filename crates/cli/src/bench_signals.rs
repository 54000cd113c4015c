//! Signal figures for `zhiliang bench`: every disproportionality statistic with the gamma-Poisson shrinker over a
//! product-category × hazard table of a million reports, and the flexible Farrington detector over thousands of
//! weekly series. Pure computation, timed on both cores.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use stats::disproportionality::Table;
use stats::gps::{squash, Prior};
use stats::temporal::{farrington_flexible, FarringtonConfig};

/// Splits `0..count` across the machine's cores and sums what each part returns.
fn parallel<T: Send>(count: usize, work: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = count.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let work = &work;
                scope.spawn(move || work(t * chunk..((t + 1) * chunk).min(count)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("worker")).collect()
    })
}

/// Poisson by inversion for small means, normal approximation above 500.
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean > 500.0 {
        let (u1, u2): (f64, f64) = (rng.gen::<f64>().max(1e-300), rng.gen());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        return (mean + z * mean.sqrt()).round().max(0.0) as u64;
    }
    let (limit, mut product, mut k) = ((-mean).exp(), 1.0, 0);
    loop {
        product *= rng.gen::<f64>();
        if product <= limit {
            return k;
        }
        k += 1;
    }
}

/// About `reports` reports over `categories` × `hazards`: skewed margins (a few categories and hazards dominate),
/// and a relative risk per cell from a mixture — most near 1, one in twenty raised — as real report tables have.
fn report_counts(reports: usize, categories: usize, hazards: usize) -> Vec<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let skew = |n: usize| -> Vec<f64> {
        let raw: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64).powf(0.8)).collect();
        let sum: f64 = raw.iter().sum();
        raw.into_iter().map(|v| v / sum).collect()
    };
    let (row_share, column_share) = (skew(categories), skew(hazards));
    let mut counts = Vec::with_capacity(categories * hazards);
    for row in &row_share {
        for column in &column_share {
            let risk =
                if rng.gen::<f64>() < 0.05 { 2.0 + 8.0 * rng.gen::<f64>() } else { 0.7 + 0.6 * rng.gen::<f64>() };
            // The mean risk is 0.95 · 1 + 0.05 · 6 = 1.25; dividing by it keeps the total near `reports`.
            counts.push(poisson(&mut rng, reports as f64 * row * column * risk / 1.25));
        }
    }
    counts
}

fn disproportionality_figure(reports: usize, categories: usize, hazards: usize) {
    let counts = report_counts(reports, categories, hazards);
    let started = Instant::now();
    let total: u64 = counts.iter().sum();
    let rows: Vec<u64> = (0..categories).map(|c| counts[c * hazards..(c + 1) * hazards].iter().sum()).collect();
    let columns: Vec<u64> = (0..hazards).map(|h| (0..categories).map(|c| counts[c * hazards + h]).sum()).collect();
    let cells: Vec<(usize, u64)> = counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(i, n)| (i, *n)).collect();
    let expected = |i: usize| rows[i / hazards] as f64 * columns[i % hazards] as f64 / total as f64;
    let for_prior: Vec<(u64, f64)> = cells.iter().map(|&(i, n)| (n, expected(i))).collect();
    let start = Prior { alpha1: 0.2, beta1: 0.1, alpha2: 2.0, beta2: 4.0, p: 1.0 / 3.0 };
    let prior = Prior::fit_weighted(&squash(&for_prior, 100), start);
    let signals: Vec<usize> = parallel(cells.len(), |range| {
        let mut signals = 0;
        for &(i, a) in &cells[range] {
            let (row, column) = (rows[i / hazards], columns[i % hazards]);
            let table = Table { a, b: row - a, c: column - a, d: total - row - column + a };
            let statistics = table.statistics();
            let posterior = prior.posterior(a, statistics.expected);
            if statistics.evans_signal || posterior.eb05 >= 2.0 {
                signals += 1;
            }
        }
        signals
    });
    let elapsed = started.elapsed();
    println!(
        "| all disproportionality statistics and EBGM/EB05/EB95 (prior fitted by ML on squashed cells), {categories} categories × {hazards} hazards over {total} reports ({} cells, {} flagged) | {:.2} s | — | — | < 10 s |",
        cells.len(),
        signals.iter().sum::<usize>(),
        elapsed.as_secs_f64()
    );
}

fn farrington_figure(series: usize, years: usize) {
    let weeks = years * 52;
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let data: Vec<Vec<f64>> = (0..series)
        .map(|s| {
            let level = 1.0 + (s % 40) as f64;
            (0..weeks)
                .map(|t| {
                    let mean = level * (1.0 + 0.3 * (std::f64::consts::TAU * t as f64 / 52.0).sin());
                    poisson(&mut rng, mean) as f64
                })
                .collect()
        })
        .collect();
    // Five years of data leave four full years of history before the latest week.
    let config = FarringtonConfig { years: years - 1, ..FarringtonConfig::default() };
    let started = Instant::now();
    let alarms: Vec<usize> = parallel(series, |range| {
        data[range].iter().filter(|s| farrington_flexible(s, weeks - 1, &config).is_some_and(|r| r.alarm)).count()
    });
    let elapsed = started.elapsed();
    println!(
        "| flexible Farrington (Noufaily settings, {} years of history) for the latest week of {series} weekly series of {years} years ({} alarms) | {:.2} s | — | — | < 10 s |",
        years - 1,
        alarms.iter().sum::<usize>(),
        elapsed.as_secs_f64()
    );
}

/// Runs the signal figures.
pub fn run(reports: usize, series: usize) {
    disproportionality_figure(reports, 1_000, 200);
    farrington_figure(series, 5);
}
