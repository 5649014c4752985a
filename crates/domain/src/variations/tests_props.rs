//! Property tests: the number of jobs is the product of the group sizes ×
//! the field values × the takes, and every combination comes exactly once,
//! in order (the first group slowest); `parse` never panics.

use super::*;
use proptest::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;

/// No wildcard exists: these templates use none.
struct NoWildcards;

impl WildcardSource for NoWildcards {
    fn path_of(&self, name: &str) -> PathBuf {
        PathBuf::from(format!("{name}.txt"))
    }
    fn read(&mut self, _: &str) -> std::io::Result<String> {
        Err(std::io::ErrorKind::NotFound.into())
    }
}

/// Alternatives that are distinct and free of template syntax.
fn groups() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(prop::collection::btree_set("[a-z]{1,4}", 1..4).prop_map(|s| s.into_iter().collect::<Vec<_>>()), 0..4)
}

fn ratios() -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(crate::job::RATIOS.iter().map(|r| r.to_string()).collect::<Vec<_>>(), 0..4)
}

fn durations() -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence((4..=15).map(|d: u32| d.to_string()).collect::<Vec<_>>(), 0..3)
}

proptest! {
    #[test]
    fn every_combination_exactly_once(groups in groups(), ratios in ratios(), durations in durations(), takes in 1u32..4) {
        let template: String = groups.iter().enumerate().map(|(i, g)| format!("g{i}={{{}}};", g.join("|"))).collect();
        let mut vary = Vec::new();
        if !ratios.is_empty() {
            vary.push(FieldValues::parse(&format!("ratio={}", ratios.join(","))).unwrap());
        }
        if !durations.is_empty() {
            vary.push(FieldValues::parse(&format!("duration={}", durations.join(","))).unwrap());
        }
        let req = VariationRequest { template: template.clone(), base: JobSpec::default(), vary, takes, name: Some("N".into()) };
        let e = expand(&req, &mut NoWildcards).unwrap();

        let product: usize = groups.iter().map(Vec::len).product::<usize>() * ratios.len().max(1) * durations.len().max(1) * takes as usize;
        prop_assert_eq!(e.count as usize, product);
        prop_assert_eq!(e.jobs.len(), product);

        // Every combination once: (prompt, ratio, duration, take) are unique.
        let seen: HashSet<(String, String, u32, u32)> = e.jobs.iter().map(|j| (j.spec.prompt.clone(), j.spec.ratio.clone(), j.spec.duration, j.take)).collect();
        prop_assert_eq!(seen.len(), product);
        let names: HashSet<&str> = e.jobs.iter().map(|j| j.name.as_str()).collect();
        prop_assert_eq!(names.len(), product);

        // Order: an odometer over (groups…, ratio, duration, take), last fastest.
        let mut sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        sizes.extend([ratios.len().max(1), durations.len().max(1), takes as usize]);
        for (n, j) in e.jobs.iter().enumerate() {
            let mut digits = vec![0; sizes.len()];
            let mut rest = n;
            for (d, s) in digits.iter_mut().zip(&sizes).rev() {
                *d = rest % s;
                rest /= s;
            }
            let prompt: String = groups.iter().enumerate().map(|(i, g)| format!("g{i}={};", g[digits[i]])).collect();
            prop_assert_eq!(&j.spec.prompt, &prompt);
            let k = groups.len();
            if !ratios.is_empty() {
                prop_assert_eq!(&j.spec.ratio, &ratios[digits[k]]);
            }
            if !durations.is_empty() {
                prop_assert_eq!(j.spec.duration.to_string(), durations[digits[k + 1]].clone());
            }
            prop_assert_eq!(j.take as usize, digits[k + 2] + 1);
        }
    }

    #[test]
    fn parse_never_panics_and_positions_are_inside(s in "[{}|_\\\\a-c\n ]{0,40}") {
        if let Err(e) = parse(&s) {
            let p = e.pos();
            let lines: Vec<&str> = s.split('\n').collect();
            prop_assert!(p.line >= 1 && (p.line as usize) <= lines.len());
            prop_assert!(p.col >= 1 && (p.col as usize) <= lines[p.line as usize - 1].chars().count() + 1);
        }
    }
}
