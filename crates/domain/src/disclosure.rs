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

/// The figures of grids that share their rows, in one list: for each grid its cells, row
/// totals, column totals and grand total; with the sums that hold between them.
struct Layout {
    /// Each grid's first figure.
    bases: Vec<usize>,
    values: Vec<u64>,
    /// (total, its cells): every line of every grid.
    lines: Vec<(usize, Vec<usize>)>,
    /// Row `i` of grid `g` (g ≥ 1) adds up to row `i` of grid 0: (cells of g, cells of 0).
    shared: Vec<(Vec<usize>, Vec<usize>)>,
    /// The cells (as figures), for the linear program's variables.
    cells: Vec<usize>,
    /// For each figure, the figures that are the same number in the other grids (row and
    /// grand totals).
    twins: Vec<Vec<usize>>,
}

fn layout(grids: &[Grid]) -> Layout {
    let mut bases = Vec::new();
    let mut values = Vec::new();
    let mut lines = Vec::new();
    let mut cells = Vec::new();
    for g in grids {
        let base = values.len();
        bases.push(base);
        let (r, c) = (g.rows, g.cols);
        values.extend(&g.cells);
        cells.extend(base..base + r * c);
        values.extend((0..r).map(|i| g.cells[i * c..(i + 1) * c].iter().sum::<u64>()));
        values.extend((0..c).map(|j| (0..r).map(|i| g.cells[i * c + j]).sum::<u64>()));
        values.push(g.cells.iter().sum());
        for i in 0..r {
            lines.push((base + r * c + i, (0..c).map(|j| base + i * c + j).collect()));
        }
        for j in 0..c {
            lines.push((
                base + r * c + r + j,
                (0..r).map(|i| base + i * c + j).collect(),
            ));
        }
        lines.push((base + r * c + r + c, (base..base + r * c).collect()));
    }
    let mut shared = Vec::new();
    let mut twins = vec![Vec::new(); values.len()];
    if let Some(first) = grids.first() {
        let row_cells = |gi: usize, i: usize| -> Vec<usize> {
            let (b, c) = (bases[gi], grids[gi].cols);
            (0..c).map(|j| b + i * c + j).collect()
        };
        let row_total = |gi: usize, i: usize| bases[gi] + grids[gi].rows * grids[gi].cols + i;
        let grand = |gi: usize| {
            let g = &grids[gi];
            bases[gi] + g.rows * g.cols + g.rows + g.cols
        };
        for gi in 1..grids.len() {
            for i in 0..first.rows {
                shared.push((row_cells(gi, i), row_cells(0, i)));
            }
        }
        for i in 0..first.rows {
            let all: Vec<usize> = (0..grids.len()).map(|gi| row_total(gi, i)).collect();
            for n in &all {
                twins[*n] = all.iter().copied().filter(|m| m != n).collect();
            }
        }
        let all: Vec<usize> = (0..grids.len()).map(grand).collect();
        for n in &all {
            twins[*n] = all.iter().copied().filter(|m| m != n).collect();
        }
    }
    Layout {
        bases,
        values,
        lines,
        shared,
        cells,
        twins,
    }
}

/// No count is this large: the upper bound of a hidden figure nothing bounds.
const UNBOUNDED: u64 = u64::MAX / 4;

/// Quick bounds of every figure from what is shown, each line's sum narrowing its parts and
/// its total in turn (and the same number in other grids alike): weaker than the linear
/// program, but cheap, so the hiding is mostly decided here and the program only audits.
fn quick_bounds(l: &Layout, shown: &[Shown], threshold: u64) -> Vec<(u64, u64)> {
    let mut b: Vec<(u64, u64)> = shown
        .iter()
        .map(|s| match s {
            Shown::Value(v) => (*v, *v),
            Shown::Small => (0, threshold - 1),
            Shown::Hidden => (threshold, UNBOUNDED),
        })
        .collect();
    let add = |a: u64, x: u64| a.saturating_add(x).min(UNBOUNDED);
    for _ in 0..32 {
        let mut moved = false;
        for (total, parts) in &l.lines {
            let lo_sum: u64 = parts.iter().fold(0, |a, p| add(a, b[*p].0));
            let hi_sum: u64 = parts.iter().fold(0, |a, p| add(a, b[*p].1));
            let t = (b[*total].0.max(lo_sum), b[*total].1.min(hi_sum));
            if t != b[*total] {
                b[*total] = t;
                moved = true;
            }
            for p in parts {
                let others_lo = lo_sum.saturating_sub(b[*p].0);
                let others_hi = if hi_sum >= UNBOUNDED {
                    UNBOUNDED
                } else {
                    hi_sum - b[*p].1
                };
                let lo = if others_hi >= UNBOUNDED {
                    b[*p].0
                } else {
                    b[*p].0.max(t.0.saturating_sub(others_hi))
                };
                let hi = if t.1 >= UNBOUNDED {
                    b[*p].1
                } else {
                    b[*p].1.min(t.1.saturating_sub(others_lo))
                };
                if (lo, hi) != b[*p] {
                    b[*p] = (lo, hi.max(lo));
                    moved = true;
                }
            }
        }
        for (n, twins) in l.twins.iter().enumerate() {
            for t in twins {
                let both = (b[n].0.max(b[*t].0), b[n].1.min(b[*t].1));
                if both != b[n] {
                    b[n] = both;
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
    b
}

/// The smallest width a suppressed figure's range may have (at least three values).
const MARGIN: u64 = 2;

/// For every figure: `None` when shown, else the width of the range of values it can have
/// given what `shown` shows (highest − lowest, infinite when unbounded), by linear programming
/// over the cells of all the grids (`only`: for that figure alone).
fn lp_ranges(l: &Layout, shown: &[Shown], threshold: u64, only: Option<usize>) -> Vec<Option<f64>> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem};
    let k = threshold as f64;
    let bounds = |s: Shown| match s {
        Shown::Value(v) => (v as f64, v as f64),
        Shown::Small => (0.0, k - 1.0),
        Shown::Hidden => (k, f64::INFINITY),
    };
    let solve = |objective: &[usize], direction: OptimizationDirection| -> Option<f64> {
        let mut p = Problem::new(direction);
        let mut var = std::collections::HashMap::new();
        for n in &l.cells {
            let coeff = if objective.contains(n) { 1.0 } else { 0.0 };
            var.insert(*n, p.add_var(coeff, bounds(shown[*n])));
        }
        for (figure, cells) in &l.lines {
            let expr: Vec<_> = cells.iter().map(|n| (var[n], 1.0)).collect();
            match shown[*figure] {
                Shown::Value(v) => p.add_constraint(expr, ComparisonOp::Eq, v as f64),
                Shown::Small => p.add_constraint(expr, ComparisonOp::Le, k - 1.0),
                Shown::Hidden => p.add_constraint(expr, ComparisonOp::Ge, k),
            }
        }
        for (these, first) in &l.shared {
            let mut expr: Vec<_> = these.iter().map(|n| (var[n], 1.0)).collect();
            expr.extend(first.iter().map(|n| (var[n], -1.0)));
            p.add_constraint(expr, ComparisonOp::Eq, 0.0);
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
        let cells: Vec<usize> = match l.lines.iter().find(|(f, _)| *f == n) {
            Some((_, cells)) => cells.clone(),
            None => vec![n],
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
    protect_together(std::slice::from_ref(g), threshold)
        .pop()
        .expect("one grid in, one out")
}

/// Grids that count the same people by other columns (referrals by reason, by source, by
/// outcome; all with the same rows): their row totals and grand total are the same numbers,
/// and each row adds up alike in all, so they are protected together.
pub fn protect_together(grids: &[Grid], threshold: u64) -> Vec<Protected> {
    let threshold = threshold.max(2);
    let l = layout(grids);
    let mut shown: Vec<Shown> = l
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
    let hide = |shown: &mut Vec<Shown>, n: usize| {
        for m in std::iter::once(n).chain(l.twins[n].iter().copied()) {
            if matches!(shown[m], Shown::Value(_)) {
                shown[m] = Shown::Hidden;
            }
        }
    };
    let is_cell = |n: usize| l.cells.binary_search(&n).is_ok();
    // The shown figures (of at least the threshold) in a line with one of `weak`.
    let candidates = |shown: &[Shown], weak: &[usize]| -> Vec<usize> {
        let mut c: Vec<usize> = l
            .lines
            .iter()
            .filter(|(t, cells)| weak.iter().any(|w| t == w || cells.contains(w)))
            .flat_map(|(t, cells)| cells.iter().copied().chain(std::iter::once(*t)))
            .filter(|n| matches!(shown[*n], Shown::Value(_)))
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let narrow = |lo: u64, hi: u64| hi.saturating_sub(lo) < MARGIN;
    loop {
        // First by the quick bounds: hide, for the first figure they pin, the shown figure
        // that frees it most (cells before totals, then the smallest).
        loop {
            let b = quick_bounds(&l, &shown, threshold);
            let weak: Vec<usize> = (0..shown.len())
                .filter(|n| !matches!(shown[*n], Shown::Value(_)) && narrow(b[*n].0, b[*n].1))
                .collect();
            let Some(&first) = weak.first() else {
                break;
            };
            let pick = candidates(&shown, &weak).into_iter().min_by_key(|n| {
                let mut trial = shown.clone();
                hide(&mut trial, *n);
                let tb = quick_bounds(&l, &trial, threshold);
                let width = tb[first].1.saturating_sub(tb[first].0).min(MARGIN);
                (MARGIN - width, !is_cell(*n), l.values[*n], *n)
            });
            match pick {
                Some(n) => hide(&mut shown, n),
                None => break,
            }
        }
        // Then the linear program audits; what it still finds pinned gets another figure
        // hidden, chosen by the program.
        let ranges = lp_ranges(&l, &shown, threshold, None);
        let weak: Vec<usize> = (0..shown.len())
            .filter(|n| ranges[*n].is_some_and(|w| w < MARGIN as f64 - 0.5))
            .collect();
        let Some(&first) = weak.first() else {
            break;
        };
        let mut options = candidates(&shown, &weak);
        options.sort_by_key(|n| (!is_cell(*n), l.values[*n]));
        options.truncate(12);
        let pick = options.into_iter().min_by_key(|n| {
            let mut trial = shown.clone();
            hide(&mut trial, *n);
            let width = lp_ranges(&l, &trial, threshold, Some(first))[first].unwrap_or(0.0);
            let width = (width.min(MARGIN as f64) * 1000.0) as u64;
            (u64::MAX - width, !is_cell(*n), l.values[*n], *n)
        });
        match pick {
            Some(n) => hide(&mut shown, n),
            // Nothing left to hide around it (never expected): hide it all.
            None => {
                for s in shown.iter_mut() {
                    if matches!(s, Shown::Value(_)) {
                        *s = Shown::Hidden;
                    }
                }
                break;
            }
        }
    }
    grids
        .iter()
        .zip(&l.bases)
        .map(|(g, base)| {
            let (r, c) = (g.rows, g.cols);
            let b = *base;
            Protected {
                rows: r,
                cols: c,
                cells: shown[b..b + r * c].to_vec(),
                row_totals: shown[b + r * c..b + r * c + r].to_vec(),
                col_totals: shown[b + r * c + r..b + r * c + r + c].to_vec(),
                total: shown[b + r * c + r + c],
            }
        })
        .collect()
}

/// The change from the previous period, only when both counts are shown.
pub fn difference(now: Shown, before: Shown) -> Option<i64> {
    Some(now.value()? as i64 - before.value()? as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

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

    /// Every value each suppressed cell of two grids sharing their rows can have: the row
    /// sums of both must agree, besides what each shows.
    fn possible_together(
        a: &Protected,
        b: &Protected,
        cap: u64,
    ) -> (Vec<BTreeSet<u64>>, Vec<BTreeSet<u64>>) {
        let fits = |s: Shown, v: u64| match s {
            Shown::Value(x) => v == x,
            Shown::Small => v < 5,
            Shown::Hidden => v >= 5,
        };
        let options = |p: &Protected| -> Vec<Vec<u64>> {
            p.cells
                .iter()
                .map(|s| match s {
                    Shown::Value(v) => vec![*v],
                    Shown::Small => (0..5).collect(),
                    Shown::Hidden => (5..=cap).collect(),
                })
                .collect()
        };
        // Every table each grid allows on its own, then the pairs whose row sums agree.
        let tables = |p: &Protected| -> Vec<Vec<u64>> {
            let opts = options(p);
            let mut out = Vec::new();
            let mut cur = vec![0u64; opts.len()];
            fn walk(k: usize, opts: &[Vec<u64>], cur: &mut Vec<u64>, out: &mut Vec<Vec<u64>>) {
                if k == opts.len() {
                    out.push(cur.clone());
                    return;
                }
                for v in &opts[k] {
                    cur[k] = *v;
                    walk(k + 1, opts, cur, out);
                }
            }
            walk(0, &opts, &mut cur, &mut out);
            out.retain(|t| {
                (0..p.rows).all(|i| {
                    fits(
                        p.row_totals[i],
                        t[i * p.cols..(i + 1) * p.cols].iter().sum(),
                    )
                }) && (0..p.cols).all(|j| {
                    fits(
                        p.col_totals[j],
                        (0..p.rows).map(|i| t[i * p.cols + j]).sum(),
                    )
                }) && fits(p.total, t.iter().sum())
            });
            out
        };
        let (ta, tb) = (tables(a), tables(b));
        let rows_of = |p: &Protected, t: &[u64]| -> Vec<u64> {
            (0..p.rows)
                .map(|i| t[i * p.cols..(i + 1) * p.cols].iter().sum())
                .collect()
        };
        let mut fa = vec![BTreeSet::new(); a.cells.len()];
        let mut fb = vec![BTreeSet::new(); b.cells.len()];
        let mut by_rows: std::collections::HashMap<Vec<u64>, Vec<&Vec<u64>>> =
            std::collections::HashMap::new();
        for y in &tb {
            by_rows.entry(rows_of(b, y)).or_default().push(y);
        }
        for x in &ta {
            let Some(ys) = by_rows.get(&rows_of(a, x)) else {
                continue;
            };
            for (i, v) in x.iter().enumerate() {
                fa[i].insert(*v);
            }
            for y in ys {
                for (i, v) in y.iter().enumerate() {
                    fb[i].insert(*v);
                }
            }
        }
        (fa, fb)
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

        /// Two tables of the same people by other columns: nothing suppressed in either can be
        /// worked out from both together.
        #[test]
        fn tables_sharing_rows_reveal_nothing_together(
            a in proptest::collection::vec(prop_oneof![0u64..5, 5u64..10], 4),
            split in proptest::collection::vec(0u64..=100, 2),
        ) {
            // Grid A: 2 × 2. Grid B: the same rows, split another way.
            let rows = [a[0] + a[1], a[2] + a[3]];
            let b: Vec<u64> = (0..2)
                .flat_map(|i| {
                    let first = rows[i] * split[i] / 100;
                    [first, rows[i] - first]
                })
                .collect();
            let ga = Grid { rows: 2, cols: 2, cells: a.clone() };
            let gb = Grid { rows: 2, cols: 2, cells: b.clone() };
            let both = protect_together(&[ga, gb], 5);
            let hidden = both.iter().flat_map(|p| &p.cells).filter(|s| **s == Shown::Hidden).count();
            prop_assume!(hidden <= 5);
            let (fa, fb) = possible_together(&both[0], &both[1], 20);
            for (p, found, truth) in [(&both[0], &fa, &a), (&both[1], &fb, &b)] {
                for (i, s) in p.cells.iter().enumerate() {
                    if !matches!(s, Shown::Value(_)) {
                        prop_assert!(found[i].contains(&truth[i]));
                        prop_assert!(found[i].len() >= 2, "cell {} of {:?} / {:?} recovered: {:?} {:?}", i, a, b, both[0], both[1]);
                    }
                }
            }
        }
    }
}
