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

/// Provinces of the stored figure's hospitals: 1,000 products × 5 provinces make the 5,000 weekly series.
const PROVINCES: [&str; 5] = ["110105", "310115", "330106", "440106", "510104"];

/// Writes `reports` injury cases over six years to `end`: 1,000 products and 200 hazards with skewed margins, two
/// hospitals in each of five provinces.
async fn store_reports(store: &store::Store, reports: usize, end: chrono::NaiveDate) -> anyhow::Result<()> {
    use store::injuries::{Hospital, InjuryCase};
    let hospitals: Vec<Hospital> = (0..10)
        .map(|i| Hospital {
            id: codes::Uscc::assemble(&format!("12{}", PROVINCES[i / 2]), &format!("BH{i:06}"))
                .expect("valid")
                .to_string(),
            name: format!("基准医院{i}"),
            region_code: PROVINCES[i / 2].into(),
            stratum: if i % 2 == 0 { "large" } else { "small" }.into(),
            weight: if i % 2 == 0 { 20.0 } else { 80.0 },
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let skewed = |rng: &mut ChaCha8Rng, n: usize| -> usize { ((rng.gen::<f64>().powf(2.5)) * n as f64) as usize % n };
    let mut batch = Vec::with_capacity(20_000);
    for i in 0..reports {
        let hospital = &hospitals[rng.gen_range(0..hospitals.len())];
        batch.push(InjuryCase {
            case_id: format!("B{i:09}"),
            hospital_id: hospital.id.clone(),
            treated_on: (end - chrono::Days::new(rng.gen_range(0..6 * 364))).to_string(),
            stratum: hospital.stratum.clone(),
            weight: hospital.weight,
            age: rng.gen_range(1..90),
            sex: if rng.gen_bool(0.5) { "male" } else { "female" }.into(),
            product_code: format!("P{:04}", skewed(&mut rng, 1_000)),
            product_code_2: None,
            body_part: "hand".into(),
            diagnosis: "burn".into(),
            disposition: "treated_released".into(),
            location: None,
            intent: None,
            hazard_code: Some(format!("H{:03}", skewed(&mut rng, 200))),
            narrative: None,
        });
        if batch.len() == 20_000 {
            store.import_injuries(&hospitals, &batch, None).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.import_injuries(&hospitals, &batch, None).await?;
    }
    Ok(())
}

/// The signal board's own requests over stored reports: the counts read from the database, then the statistics.
pub async fn stored(dir: &std::path::Path, reports: usize) -> anyhow::Result<()> {
    use axum::body::Body;
    use axum::http::{header, Request};
    use tower::ServiceExt;
    let path = dir.join(format!("injuries-{reports}.db"));
    let url = format!("sqlite://{}", path.display());
    let end = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date");
    let fresh = !path.exists();
    let store = store::Store::open(&url).await?;
    if fresh {
        eprintln!("storing {reports} injury reports");
        store_reports(&store, reports, end).await?;
    }
    let admin = store::NewUser {
        name: "bench".into(),
        role: store::Role::Admin,
        region_code: None,
        uscc: None,
        login: None,
        password: None,
    };
    let (_, token) = store.add_user(&admin).await?;
    let app = server::app(crate::bench::bench_state(&store));
    for (label, uri) in [
        (
            "disproportionality with EBGM from stored injury reports (1,000 products × 200 hazards)",
            format!("/api/v1/signals?method=disproportionality&from=2020-01-01&to={end}"),
        ),
        (
            "Farrington per product and province from stored injury reports",
            format!("/api/v1/signals?method=farrington&by_region=true&to={end}"),
        ),
    ] {
        let request =
            Request::builder().uri(&uri).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty())?;
        let started = Instant::now();
        let response = app.clone().oneshot(request).await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        let elapsed = started.elapsed();
        anyhow::ensure!(status.is_success(), "{uri}: {status}");
        let answer: serde_json::Value = serde_json::from_slice(&bytes)?;
        let extent = match answer["parameters"]["series"].as_u64() {
            Some(series) => format!("{series} weekly series"),
            None => format!("{} reports, {} cells", answer["parameters"]["reports"], answer["parameters"]["cells"]),
        };
        println!(
            "| {label}: GET {} ({extent}, {} signals) | {:.2} s | — | — | < 10 s |",
            uri.split('&').next().unwrap_or(&uri),
            answer["signals"].as_array().map_or(0, Vec::len),
            elapsed.as_secs_f64()
        );
    }
    store.close().await;
    Ok(())
}
