//! Walking the comparisons of a pattern, and pruning them.

use super::*;

pub(super) fn collect_observation<'p>(e: &'p ObservationExpression, out: &mut Vec<&'p Comparison>) {
    match e {
        ObservationExpression::Observation(c) => collect_comparison(c, out),
        ObservationExpression::Qualified { expression, .. } => collect_observation(expression, out),
        ObservationExpression::And(items)
        | ObservationExpression::Or(items)
        | ObservationExpression::FollowedBy(items) => {
            items.iter().for_each(|item| collect_observation(item, out));
        }
    }
}

pub(super) fn collect_comparison<'p>(e: &'p ComparisonExpression, out: &mut Vec<&'p Comparison>) {
    match e {
        ComparisonExpression::Comparison(c) => out.push(c),
        ComparisonExpression::And(items) | ComparisonExpression::Or(items) => {
            items.iter().for_each(|item| collect_comparison(item, out));
        }
    }
}

pub(super) fn collect_observation_mut<'p>(e: &'p mut ObservationExpression, out: &mut Vec<&'p mut Comparison>) {
    match e {
        ObservationExpression::Observation(c) => collect_comparison_mut(c, out),
        ObservationExpression::Qualified { expression, .. } => collect_observation_mut(expression, out),
        ObservationExpression::And(items)
        | ObservationExpression::Or(items)
        | ObservationExpression::FollowedBy(items) => {
            items.iter_mut().for_each(|item| collect_observation_mut(item, out));
        }
    }
}

fn collect_comparison_mut<'p>(e: &'p mut ComparisonExpression, out: &mut Vec<&'p mut Comparison>) {
    match e {
        ComparisonExpression::Comparison(c) => out.push(c),
        ComparisonExpression::And(items) | ComparisonExpression::Or(items) => {
            items.iter_mut().for_each(|item| collect_comparison_mut(item, out));
        }
    }
}

#[derive(Default)]
pub(super) struct Removed {
    pub(super) comparisons: usize,
    pub(super) observations: usize,
}

/// Prune `e` in place; false when nothing is left of it.
pub(super) fn retain_observation(
    e: &mut ObservationExpression,
    keep: &mut impl FnMut(&Comparison) -> bool,
    stats: &mut Removed,
) -> bool {
    match e {
        ObservationExpression::Observation(c) => {
            let kept = retain_comparison(c, keep, stats);
            if !kept {
                stats.observations = stats.observations.saturating_add(1);
            }
            kept
        }
        ObservationExpression::Qualified { expression, .. } => retain_observation(expression, keep, stats),
        ObservationExpression::And(items)
        | ObservationExpression::Or(items)
        | ObservationExpression::FollowedBy(items) => {
            items.retain_mut(|item| retain_observation(item, keep, stats));
            if items.len() == 1 {
                if let Some(only) = items.pop() {
                    *e = only;
                }
                return true;
            }
            !items.is_empty()
        }
    }
}

/// Prune `e` in place; false when nothing is left of it.
fn retain_comparison(
    e: &mut ComparisonExpression,
    keep: &mut impl FnMut(&Comparison) -> bool,
    stats: &mut Removed,
) -> bool {
    match e {
        ComparisonExpression::Comparison(c) => {
            let kept = keep(c);
            if !kept {
                stats.comparisons = stats.comparisons.saturating_add(1);
            }
            kept
        }
        ComparisonExpression::And(items) | ComparisonExpression::Or(items) => {
            items.retain_mut(|item| retain_comparison(item, keep, stats));
            if items.len() == 1 {
                if let Some(only) = items.pop() {
                    *e = only;
                }
                return true;
            }
            !items.is_empty()
        }
    }
}
