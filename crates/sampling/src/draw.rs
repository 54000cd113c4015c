//! The draw (抽取) of a campaign's organizations from its sampling frame: random without replacement,
//! reproducible from the campaign's seed, per regional stratum when the plan has them, and optionally weighted
//! by credit class (分类监管). Pure: the caller fetches the frames and the weights.

use rand::seq::SliceRandom;
use rand::SeedableRng;

/// A stratum of the plan named by a GB/T 2260 code inside the campaign's jurisdiction, with its allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionalStratum {
    /// The stratum's name, its region code.
    pub name: String,
    /// The code's prefix: the organizations of the region.
    pub prefix: String,
    pub allocation: usize,
}

/// The regional strata of a plan (`(name, population, allocation)` rows), when every stratum is a region code
/// inside the jurisdiction `prefix` with an allocation: the draw then takes each allocation from its own region.
/// `None` when the strata are not regions (they are then recorded on the samples only).
pub fn regional_strata(prefix: &str, strata: &[(String, i64, Option<i64>)]) -> Option<Vec<RegionalStratum>> {
    if strata.is_empty() {
        return None;
    }
    strata
        .iter()
        .map(|(name, _, allocation)| {
            let code = codes::RegionCode::parse(name).ok()?;
            let allocation = allocation.filter(|a| *a > 0)?;
            code.as_str().starts_with(prefix).then(|| RegionalStratum {
                name: name.clone(),
                prefix: code.prefix().to_owned(),
                allocation: allocation as usize,
            })
        })
        .collect()
}

/// One part of a draw: the organizations it draws from, each with its weight when the draw is weighted.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The stratum's name; `None` for a draw over the whole campaign.
    pub stratum: Option<String>,
    pub size: usize,
    /// USCCs, and their weights (all `Some` in a weighted draw).
    pub members: Vec<(String, Option<f64>)>,
}

/// An organization drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub uscc: String,
    pub stratum: Option<String>,
    /// Its selection weight, in a weighted draw.
    pub weight: Option<f64>,
}

/// A frame that holds fewer organizations than its part allocates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The stratum, or `(whole campaign)`.
    pub stratum: String,
    pub allocated: usize,
    pub found: usize,
}

/// A finished draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub picks: Vec<Pick>,
    /// Organizations the frames held, each counted in the first part that could still draw it.
    pub frame_size: usize,
}

/// Draws each frame's size in order with one generator seeded by `seed`, never one organization twice. With
/// weights, each pick takes a remaining member with probability proportional to its weight. A draw that cannot
/// fill every part is refused whole, with every shortfall, so that nothing partial is recorded.
pub fn draw(frames: Vec<Frame>, seed: u64) -> Result<Drawn, Vec<Shortfall>> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut picks: Vec<Pick> = Vec::new();
    let mut frame_size = 0;
    let mut short = Vec::new();
    for frame in frames {
        let mut members = frame.members;
        members.retain(|(uscc, _)| !picks.iter().any(|p| &p.uscc == uscc));
        frame_size += members.len();
        if members.len() < frame.size {
            let stratum = frame.stratum.clone().unwrap_or_else(|| "(whole campaign)".to_owned());
            short.push(Shortfall { stratum, allocated: frame.size, found: members.len() });
        }
        let weights: Option<Vec<f64>> = members.iter().map(|(_, w)| *w).collect();
        let chosen: Vec<(String, Option<f64>)> = match weights {
            Some(weights) if !members.is_empty() => {
                credit::weighted_draw(&weights, frame.size, &mut rng).into_iter().map(|i| members[i].clone()).collect()
            }
            _ => members.partial_shuffle(&mut rng, frame.size).0.to_vec(),
        };
        picks.extend(chosen.into_iter().map(|(uscc, weight)| Pick { uscc, stratum: frame.stratum.clone(), weight }));
    }
    if short.is_empty() {
        Ok(Drawn { picks, frame_size })
    } else {
        Err(short)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(stratum: Option<&str>, size: usize, members: &[&str], weight: Option<f64>) -> Frame {
        Frame {
            stratum: stratum.map(str::to_owned),
            size,
            members: members.iter().map(|m| (m.to_string(), weight)).collect(),
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_organizations_and_none_twice() {
        let members: Vec<String> = (0..50).map(|i| format!("ORG{i:02}")).collect();
        let names: Vec<&str> = members.iter().map(String::as_str).collect();
        let first = draw(vec![frame(None, 10, &names, None)], 2026).unwrap();
        let again = draw(vec![frame(None, 10, &names, None)], 2026).unwrap();
        let other = draw(vec![frame(None, 10, &names, None)], 2027).unwrap();
        assert_eq!(first, again);
        assert_ne!(first.picks, other.picks);
        let mut unique: Vec<&String> = first.picks.iter().map(|p| &p.uscc).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert_eq!(first.frame_size, 50);
    }

    #[test]
    fn overlapping_strata_never_draw_an_organization_twice() {
        let drawn = draw(
            vec![frame(Some("330100"), 2, &["A", "B"], None), frame(Some("330000"), 2, &["A", "B", "C", "D"], None)],
            1,
        )
        .unwrap();
        let later: Vec<&str> = drawn.picks[2..].iter().map(|p| p.uscc.as_str()).collect();
        assert!(later.iter().all(|u| *u == "C" || *u == "D"), "{later:?}");
        assert_eq!(drawn.frame_size, 4);
        assert_eq!(drawn.picks[0].stratum.as_deref(), Some("330100"));
    }

    #[test]
    fn a_short_frame_refuses_the_whole_draw_with_every_shortfall() {
        let refused = draw(vec![frame(Some("330100"), 3, &["A"], None), frame(Some("330200"), 2, &[], None)], 1);
        assert_eq!(
            refused.unwrap_err(),
            vec![
                Shortfall { stratum: "330100".into(), allocated: 3, found: 1 },
                Shortfall { stratum: "330200".into(), allocated: 2, found: 0 },
            ]
        );
        let whole = draw(vec![frame(None, 2, &["A"], None)], 1).unwrap_err();
        assert_eq!(whole[0].stratum, "(whole campaign)");
    }

    #[test]
    fn a_weighted_draw_keeps_each_picks_weight() {
        let drawn = draw(vec![frame(None, 2, &["A", "B", "C"], Some(2.0))], 7).unwrap();
        assert_eq!(drawn.picks.len(), 2);
        assert!(drawn.picks.iter().all(|p| p.weight == Some(2.0)));
    }

    #[test]
    fn regional_strata_need_codes_inside_the_jurisdiction_with_allocations() {
        let rows = |items: &[(&str, Option<i64>)]| -> Vec<(String, i64, Option<i64>)> {
            items.iter().map(|(n, a)| (n.to_string(), 0, *a)).collect()
        };
        let found = regional_strata("33", &rows(&[("330100", Some(3)), ("330200", Some(2))])).unwrap();
        assert_eq!(found[0], RegionalStratum { name: "330100".into(), prefix: "3301".into(), allocation: 3 });
        assert_eq!(regional_strata("33", &rows(&[("330100", Some(3)), ("retail", Some(2))])), None);
        assert_eq!(regional_strata("33", &rows(&[("320100", Some(3))])), None);
        assert_eq!(regional_strata("33", &rows(&[("330100", None)])), None);
        assert_eq!(regional_strata("33", &[]), None);
    }
}
