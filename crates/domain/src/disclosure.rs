//! Small counts in the municipality's figures. A count below the threshold (5 unless a
//! deployment sets another) is shown as "< 5" (primary suppression); where the totals beside it
//! would let someone work it out, other counts are hidden as well (secondary suppression), so
//! that no suppressed count can be recovered from everything a table shows: its cells, row and
//! column totals and grand total. A difference with the previous period is shown only when both
//! counts are. The rules here are plain (no I/O).
//!
//! What someone can know of a suppressed count: "< 5" is a value from 0 to 4, a hidden count
//! one of at least 5 (only counts of 5 or more are hidden), and every line of the table adds
//! up. [`protect`] finds the lowest and highest value every suppressed figure can have from
//! that knowledge (a linear program per figure: exact for a table with its margins) and hides
//! more until each keeps a range of at least three values; the tests check the result against
//! an exhaustive search of every table the shown figures allow.

/// The default threshold: counts below it are not shown.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Value(u64),
    /// Below the threshold: "< 5".
    Small,
    /// Hidden so that a small count cannot be worked out: "•".
    Hidden,
}

impl Shown {
    pub fn value(self) -> Option<u64> {
        match self {
            Shown::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// A table of counts, `rows × cols`, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub rows: usize,
    pub cols: usize,
    pub cells: Vec<u64>,
}

/// What may be shown of a grid: its cells, row totals, column totals and grand total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub rows: usize,
    pub cols: usize,
    pub cells: Vec<Shown>,
    pub row_totals: Vec<Shown>,
    pub col_totals: Vec<Shown>,
    pub total: Shown,
}

impl Protected {
    pub fn cell(&self, row: usize, col: usize) -> Shown {
        self.cells[row * self.cols + col]
    }
}

/// The figures of a grid in one list — cells, then row totals, column totals and the grand
/// total — with the sums that hold between them: (total, parts).
struct Figures {
    values: Vec<u64>,
    sums: Vec<(usize, Vec<usize>)>,
}

fn figures(g: &Grid) -> Figures {
    let (r, c) = (g.rows, g.cols);
    let cell = |i: usize, j: usize| i * c + j;
    let row_total = |i: usize| r * c + i;
    let col_total = |j: usize| r * c + r + j;
    let grand = r * c + r + c;
    let mut values = g.cells.clone();
    values.extend((0..r).map(|i| (0..c).map(|j| g.cells[cell(i, j)]).sum::<u64>()));
    values.extend((0..c).map(|j| (0..r).map(|i| g.cells[cell(i, j)]).sum::<u64>()));
    values.push(g.cells.iter().sum());
    let mut sums = Vec::new();
    for i in 0..r {
        sums.push((row_total(i), (0..c).map(|j| cell(i, j)).collect()));
    }
    for j in 0..c {
        sums.push((col_total(j), (0..r).map(|i| cell(i, j)).collect()));
    }
    sums.push((grand, (0..r).map(row_total).collect()));
    sums.push((grand, (0..c).map(col_total).collect()));
    Figures { values, sums }
}

/// The smallest width a suppressed figure's range may have (at least three values).
const MARGIN: u64 = 2;

/// For every figure (cells, row totals, column totals, grand total): `None` when shown, else
/// the width of the range of values it can have given what `shown` shows (highest − lowest,
/// infinite when unbounded), by linear programming over the suppressed cells.
fn lp_ranges(g: &Grid, shown: &[Shown], threshold: u64, only: Option<usize>) -> Vec<Option<f64>> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem};
    let (r, c) = (g.rows, g.cols);
    let k = threshold as f64;
    let cell_bounds = |s: Shown| match s {
        Shown::Value(v) => (v as f64, v as f64),
        Shown::Small => (0.0, k - 1.0),
        Shown::Hidden => (k, f64::INFINITY),
    };
    // The lines as lists of cells, with the figure standing for each.
    let mut lines: Vec<(usize, Vec<usize>)> = Vec::new();
    for i in 0..r {
        lines.push((r * c + i, (0..c).map(|j| i * c + j).collect()));
    }
    for j in 0..c {
        lines.push((r * c + r + j, (0..r).map(|i| i * c + j).collect()));
    }
    lines.push((r * c + r + c, (0..r * c).collect()));
    let solve = |objective: &[usize], direction: OptimizationDirection| -> Option<f64> {
        let mut p = Problem::new(direction);
        let vars: Vec<_> = (0..r * c)
            .map(|n| {
                let coeff = if objective.contains(&n) { 1.0 } else { 0.0 };
                p.add_var(coeff, cell_bounds(shown[n]))
            })
            .collect();
        for (figure, cells) in &lines {
            let expr: Vec<_> = cells.iter().map(|n| (vars[*n], 1.0)).collect();
            match shown[*figure] {
                Shown::Value(v) => p.add_constraint(expr, ComparisonOp::Eq, v as f64),
                Shown::Small => p.add_constraint(expr, ComparisonOp::Le, k - 1.0),
                Shown::Hidden => p.add_constraint(expr, ComparisonOp::Ge, k),
            }
        }
        match p.solve() {
            Ok(outcome) => outcome.solution().map(|s| s.objective()),
            Err(microlp::Error::Unbounded) => Some(f64::INFINITY),
            Err(_) => None,
        }
    };
    let mut out = vec![None; shown.len()];
    for (n, s) in shown.iter().enumerate() {
        if matches!(s, Shown::Value(_)) || only.is_some_and(|o| o != n) {
            continue;
        }
        let cells: Vec<usize> = if n < r * c {
            vec![n]
        } else {
            lines
                .iter()
                .find(|(f, _)| *f == n)
                .map(|(_, cells)| cells.clone())
                .unwrap_or_default()
        };
        let lo = solve(&cells, OptimizationDirection::Minimize);
        let hi = solve(&cells, OptimizationDirection::Maximize);
        out[n] = Some(match (lo, hi) {
            (Some(lo), Some(hi)) => hi - lo,
            // A program that cannot be solved counts as narrow: hide more.
            _ => 0.0,
        });
    }
    out
}

/// What may be shown of `g` with counts below `threshold` (at least 2) suppressed.
pub fn protect(g: &Grid, threshold: u64) -> Protected {
    let threshold = threshold.max(2);
    let f = figures(g);
    let mut shown: Vec<Shown> = f
        .values
        .iter()
        .map(|v| {
            if *v < threshold {
                Shown::Small
            } else {
                Shown::Value(*v)
            }
        })
        .collect();
    // The suppressed figures whose range is too narrow, and how wide their ranges are.
    let weakness = |shown: &[Shown]| {
        let ranges = lp_ranges(g, shown, threshold, None);
        let weak: Vec<usize> = (0..shown.len())
            .filter(|n| ranges[*n].is_some_and(|w| w < MARGIN as f64 - 0.5))
            .collect();
        let width: f64 = weak.iter().filter_map(|n| ranges[*n]).sum();
        (weak, (width * 1000.0) as u64)
    };
    loop {
        let (weak, _) = weakness(&shown);
        let Some(&first) = weak.first() else {
            break;
        };
        // The figures one could hide: shown ones (of at least the threshold), in a sum with a
        // weak one.
        let mut candidates: Vec<usize> = f
            .sums
            .iter()
            .filter(|(t, parts)| weak.iter().any(|w| t == w || parts.contains(w)))
            .flat_map(|(t, parts)| parts.iter().copied().chain(std::iter::once(*t)))
            .filter(|n| matches!(shown[*n], Shown::Value(_)))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        // Hide the one that widens the first weak figure's range most (then the smallest).
        let pick = candidates.into_iter().min_by_key(|n| {
            let mut trial = shown.clone();
            trial[*n] = Shown::Hidden;
            let width = lp_ranges(g, &trial, threshold, Some(first))[first].unwrap_or(0.0);
            let width = (width.min(MARGIN as f64) * 1000.0) as u64;
            // Cells before totals: a table keeps its totals where it can.
            (u64::MAX - width, *n >= g.rows * g.cols, f.values[*n], *n)
        });
        match pick {
            Some(n) => shown[n] = Shown::Hidden,
            // Nothing left to hide around it (never expected): hide it all.
            None => {
                let _ = first;
                for s in shown.iter_mut() {
                    if matches!(s, Shown::Value(_)) {
                        *s = Shown::Hidden;
                    }
                }
                break;
            }
        }
    }
    let (r, c) = (g.rows, g.cols);
    Protected {
        rows: r,
        cols: c,
        cells: shown[..r * c].to_vec(),
        row_totals: shown[r * c..r * c + r].to_vec(),
        col_totals: shown[r * c + r..r * c + r + c].to_vec(),
        total: shown[r * c + r + c],
    }
}

/// The change from the previous period, only when both counts are shown.
pub fn difference(now: Shown, before: Shown) -> Option<i64> {
    Some(now.value()? as i64 - before.value()? as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every value each suppressed cell can have given what is shown (cells of 0 to `cap`),
    /// found by trying every table: the strongest attack on a small table.
    fn possible_values(
        p: &Protected,
        threshold: u64,
        cap: u64,
    ) -> Vec<std::collections::BTreeSet<u64>> {
        let n = p.rows * p.cols;
        let options: Vec<Vec<u64>> = p
            .cells
            .iter()
            .map(|s| match s {
                Shown::Value(v) => vec![*v],
                Shown::Small => (0..threshold).collect(),
                Shown::Hidden => (threshold..=cap).collect(),
            })
            .collect();
        let fits = |s: Shown, v: u64| match s {
            Shown::Value(x) => v == x,
            Shown::Small => v < threshold,
            Shown::Hidden => v >= threshold,
        };
        let mut found = vec![std::collections::BTreeSet::new(); n];
        let mut cells = vec![0u64; n];
        fn walk(
            k: usize,
            p: &Protected,
            options: &[Vec<u64>],
            cells: &mut Vec<u64>,
            found: &mut Vec<std::collections::BTreeSet<u64>>,
            fits: &dyn Fn(Shown, u64) -> bool,
        ) {
            let n = p.rows * p.cols;
            if k == n {
                let col_ok = (0..p.cols).all(|j| {
                    fits(
                        p.col_totals[j],
                        (0..p.rows).map(|i| cells[i * p.cols + j]).sum(),
                    )
                });
                if col_ok && fits(p.total, cells.iter().sum()) {
                    for (i, v) in cells.iter().enumerate() {
                        found[i].insert(*v);
                    }
                }
                return;
            }
            for v in &options[k] {
                cells[k] = *v;
                // A finished row must fit its total (prunes the search).
                if (k + 1).is_multiple_of(p.cols) {
                    let i = k / p.cols;
                    let sum: u64 = cells[i * p.cols..(i + 1) * p.cols].iter().sum();
                    if !fits(p.row_totals[i], sum) {
                        continue;
                    }
                }
                walk(k + 1, p, options, cells, found, fits);
            }
        }
        walk(0, p, &options, &mut cells, &mut found, &fits);
        found
    }

    #[test]
    fn a_lone_small_count_is_protected_by_a_second_one() {
        // Area × reason: one small cell in the first row.
        let g = Grid {
            rows: 2,
            cols: 3,
            cells: vec![3, 20, 31, 12, 9, 40],
        };
        let p = protect(&g, 5);
        assert_eq!(p.cell(0, 0), Shown::Small);
        let hidden = p.cells.iter().filter(|s| **s == Shown::Hidden).count();
        assert!(hidden >= 1, "{p:?}");
        assert_eq!(p.total, Shown::Value(115), "{p:?}");
        assert_eq!(difference(p.total, Shown::Value(100)), Some(15));
        assert_eq!(difference(p.cell(0, 0), Shown::Value(2)), None);
        // Nothing small: everything shown.
        let all = protect(
            &Grid {
                rows: 1,
                cols: 2,
                cells: vec![8, 9],
            },
            5,
        );
        assert_eq!(all.cells, vec![Shown::Value(8), Shown::Value(9)]);
        assert_eq!(all.total, Shown::Value(17));
    }

    #[test]
    fn a_dashboard_sized_table_keeps_most_figures_and_its_total() {
        // Six areas × eight reasons, a handful of small cells.
        let mut cells: Vec<u64> = (0..48).map(|n| 8 + (n * 7) % 23).collect();
        for n in [3, 10, 17, 30, 44] {
            cells[n] = (n % 5) as u64;
        }
        let g = Grid {
            rows: 6,
            cols: 8,
            cells,
        };
        let started = std::time::Instant::now();
        let p = protect(&g, 5);
        let hidden = p.cells.iter().filter(|s| **s == Shown::Hidden).count();
        assert!(hidden <= 12, "{hidden} hidden: {p:?}");
        assert!(matches!(p.total, Shown::Value(_)), "{p:?}");
        assert!(started.elapsed().as_secs() < 10);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

        /// Whatever the table, no suppressed cell has fewer than two possible values given
        /// every figure the table shows, and every shown figure is the true one.
        #[test]
        fn no_suppressed_count_can_be_recovered(
            rows in 1usize..=3,
            cols in 1usize..=3,
            raw in proptest::collection::vec(prop_oneof![0u64..5, 5u64..12], 9),
        ) {
            let cells: Vec<u64> = raw.into_iter().take(rows * cols).collect();
            let g = Grid { rows, cols, cells: cells.clone() };
            let p = protect(&g, 5);
            for (s, v) in p.cells.iter().zip(&cells) {
                match s {
                    Shown::Value(x) => prop_assert_eq!(x, v),
                    Shown::Small => prop_assert!(*v < 5),
                    Shown::Hidden => prop_assert!(*v >= 5),
                }
            }
            let hidden = p.cells.iter().filter(|s| **s == Shown::Hidden).count();
            prop_assume!(hidden <= 4);
            let found = possible_values(&p, 5, 14);
            for (i, s) in p.cells.iter().enumerate() {
                if !matches!(s, Shown::Value(_)) {
                    prop_assert!(found[i].contains(&cells[i]), "the true table fits");
                    prop_assert!(found[i].len() >= 2, "cell {} of {:?} recovered as {:?} from {:?}", i, cells, found[i], p);
                }
            }
        }
    }
}
