#![forbid(unsafe_code)]
//! `kapstok-bench`: the numbers behind docs/benchmarks.md. Run through `scripts/bench.sh`.

mod dashboard;
mod inbox;
mod publish;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use kapstok_demo::synthetic::{self, National, Pc4, RARE_WORDS};
use kapstok_domain::geo::GeoData;
use kapstok_search::{Index, SearchConfig, SearchQuery, build_index};
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "kapstok-bench", about = "Kapstok benchmarks")]
struct Cli {
    /// The national PC4 table (../shared/geo/nl-pc4.csv).
    #[arg(long, default_value = "../shared/geo/nl-pc4.csv")]
    pc4: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic national directory as HSDS JSON, plus its areas as CSV.
    Generate {
        #[arg(long)]
        services: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        areas_out: Option<PathBuf>,
    },
    /// In-process search latency per query type and size.
    Search {
        #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
        sizes: Vec<usize>,
    },
    /// Data and query scripts for the same benchmark in PostgreSQL full-text search (`dutch`).
    PgSql {
        #[arg(long)]
        services: usize,
        #[arg(long)]
        out_dir: PathBuf,
        #[arg(long, default_value_t = 300)]
        repeat: usize,
    },
    /// p50/p99 of the "Execution Time" lines of psql EXPLAIN ANALYZE output on standard input,
    /// or with `--client` of psql's `\timing` lines (the round trip as the client sees it).
    PgPercentiles {
        #[arg(long)]
        client: bool,
    },
    /// Single JSON API requests one after the other on one kept-alive connection, timed at the
    /// client: p50/p99 per query class (10 results each).
    /// The team inbox page with many referrals in the database (issue 13): p50/p99 per page.
    Inbox {
        #[arg(long, default_value_t = 100_000)]
        referrals: usize,
        #[arg(long, default_value_t = 1_000)]
        teams: usize,
        #[arg(long, default_value_t = 1_000)]
        runs: usize,
        /// A PostgreSQL URL (an empty database); SQLite in a temporary folder without it.
        #[arg(long)]
        database: Option<String>,
    },
    /// The municipality's dashboard with a million referrals and log rows (issue 16): the
    /// first answer, p50/p99 per page, memory.
    Dashboard {
        #[arg(long, default_value_t = 1_000_000)]
        referrals: usize,
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// A PostgreSQL URL (an empty database); SQLite in a temporary folder without it.
        #[arg(long)]
        database: Option<String>,
    },
    /// A redacteur's published change until search finds it (issue 14): p50/p99.
    Publish {
        #[arg(long, default_value_t = 10_000)]
        services: usize,
        #[arg(long, default_value_t = 50)]
        runs: usize,
        /// A PostgreSQL URL (an empty database); SQLite in a temporary folder without it.
        #[arg(long)]
        database: Option<String>,
    },
    Http {
        /// host:port of a running Kapstok.
        #[arg(long)]
        addr: String,
        #[arg(long, default_value_t = 500)]
        runs: usize,
    },
}

fn read_pc4(path: &Path) -> Result<Vec<Pc4>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for r in reader.records() {
        let r = r?;
        out.push((r[0].to_string(), r[1].parse()?, r[2].parse()?));
    }
    Ok(out)
}

/// The fixed query mix: (type, description, builder for the n-th variant).
type Make = fn(&Ctx, usize) -> SearchQuery;
struct Ctx {
    pc4: Vec<Pc4>,
}

const TYPES: &[(&str, &str, Make)] = &[
    ("rare", "rare term (about 1 in 4,000 services)", |_, k| {
        q(RARE_WORDS[k % RARE_WORDS.len()])
    }),
    (
        "common",
        "common term (mantelzorgers, hulp, zorg)",
        |_, k| q(["mantelzorgers", "hulp", "zorg"][k % 3]),
    ),
    (
        "prefix",
        "prefix as you type (dagbes…, mantelz…)",
        |_, k| SearchQuery {
            prefix: true,
            ..q(["dagbes", "mantelz", "respij", "lotgen"][k % 4])
        },
    ),
    (
        "text+2 facets",
        "word + basic function + funding",
        |_, k| SearchQuery {
            filters: vec![
                ("functie".into(), vec!["respijtzorg".into()]),
                ("financiering".into(), vec!["wmo".into()]),
            ],
            ..q(["dementie", "ondersteuning", "dag"][k % 3])
        },
    ),
    ("text+postcode", "word, nearest first from a PC4", |c, k| {
        SearchQuery {
            near: Some(point(c, k)),
            ..q("dagbesteding")
        }
    }),
    (
        "postcode 10 km",
        "no words, within 10 km, nearest first",
        |c, k| SearchQuery {
            near: Some(point(c, k)),
            radius_km: Some(10.0),
            ..q("")
        },
    ),
    ("facets only", "no words, two facets", |_, k| SearchQuery {
        filters: vec![
            (
                "functie".into(),
                vec![["respijtzorg", "educatie", "praktische-hulp"][k % 3].into()],
            ),
            ("doelgroep".into(), vec!["oudere-mantelzorgers".into()]),
        ],
        ..q("")
    }),
];

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        limit: 20,
        ..SearchQuery::default()
    }
}

fn point(c: &Ctx, k: usize) -> kapstok_domain::geo::GeoPoint {
    let (_, lat, lon) = &c.pc4[(k * 97) % c.pc4.len()];
    kapstok_domain::geo::GeoPoint {
        lat: *lat,
        lon: *lon,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn build(national: &National) -> (Index, Duration) {
    let geo = GeoData::new(
        national.postcodes.clone(),
        national.areas.clone(),
        national.area_postcodes.clone(),
    );
    let started = Instant::now();
    let index = build_index(&national.directory, &geo, &SearchConfig::default());
    (index, started.elapsed())
}

fn search_bench(ctx: &Ctx, sizes: &[usize]) {
    let mut table = String::new();
    let _ = writeln!(table, "| query type | size | p50 µs | p99 µs | mean hits |");
    let _ = writeln!(table, "|---|---:|---:|---:|---:|");
    let mut builds = String::new();
    for &n in sizes {
        let national = synthetic::national(n, &ctx.pc4);
        let before = rss_mb();
        let (index, took) = build(&national);
        let _ = writeln!(
            builds,
            "- {n} services: index built in {:.2} s, {} terms, process RSS {:.0} MB (+{:.0} MB for the index and data)",
            took.as_secs_f64(),
            index.term_count(),
            rss_mb(),
            rss_mb() - before
        );
        let runs = std::env::var("KAPSTOK_BENCH_RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(if n >= 100_000 { 1_000 } else { 3_000 });
        let only = std::env::var("KAPSTOK_BENCH_ONLY").ok();
        for (name, _, make) in TYPES
            .iter()
            .filter(|(name, ..)| only.as_deref().is_none_or(|o| o == *name))
        {
            let queries: Vec<SearchQuery> = (0..64).map(|k| make(ctx, k)).collect();
            // Warm-up: the first queries of a thread fault in its score buffers (one slot per
            // document) and the caches; 200 runs, as PostgreSQL gets its warm-up pass.
            for qy in queries.iter().cycle().take(200) {
                black_box(index.search(qy).total);
            }
            let mut times = Vec::with_capacity(runs);
            let mut hits = 0usize;
            for i in 0..runs {
                let qy = &queries[i % queries.len()];
                let t = Instant::now();
                let r = index.search(qy);
                hits += black_box(r.total);
                times.push(t.elapsed());
            }
            times.sort_unstable();
            let _ = writeln!(
                table,
                "| {name} | {n} | {} | {} | {} |",
                micros(percentile(&times, 0.5)),
                micros(percentile(&times, 0.99)),
                hits / runs
            );
        }
        eprintln!("{n} done");
    }
    println!("{table}\n{builds}");
}

fn pg_sql(ctx: &Ctx, n: usize, dir: &Path, repeat: usize) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let national = synthetic::national(n, &ctx.pc4);
    let dirx = &national.directory;
    let terms: std::collections::HashMap<&str, (&str, &str)> = dirx
        .taxonomy_terms
        .iter()
        .filter_map(|t| {
            let facet = dirx
                .taxonomies
                .iter()
                .find(|x| Some(&x.id) == t.taxonomy_id.as_ref())?
                .kapstok_facet
                .as_deref()?;
            Some((t.id.as_str(), (facet, t.code.as_deref()?)))
        })
        .collect();
    let orgs: std::collections::HashMap<&str, &str> = dirx
        .organizations
        .iter()
        .map(|o| (o.id.as_str(), o.name.as_str()))
        .collect();
    let clean = |s: &str| s.replace(['\t', '\n', '\\'], " ");
    let mut data = std::io::BufWriter::new(std::fs::File::create(dir.join("services.tsv"))?);
    for s in &dirx.services {
        let facet = |key: &str| {
            let codes: Vec<&str> = s
                .term_ids()
                .filter_map(|t| terms.get(t))
                .filter(|(f, _)| *f == key)
                .map(|(_, c)| *c)
                .collect();
            format!("{{{}}}", codes.join(","))
        };
        let tags: Vec<&str> = s
            .term_ids()
            .filter_map(|t| dirx.taxonomy_terms.iter().find(|x| x.id == t))
            .map(|t| t.name.as_str())
            .collect();
        let loc = &s.service_at_locations[0].location;
        writeln!(
            data,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s.id,
            clean(&s.name),
            clean(orgs.get(s.organization_id.as_str()).copied().unwrap_or("")),
            clean(&s.description),
            clean(&tags.join(" ")),
            facet("functie"),
            facet("doelgroep"),
            facet("financiering"),
            loc.latitude.unwrap_or(0.0),
            loc.longitude.unwrap_or(0.0),
            clean(loc.city().unwrap_or("")),
        )?;
    }
    data.flush()?;
    std::fs::write(
        dir.join("load.sql"),
        format!(
            "DROP TABLE IF EXISTS services;\n\
             CREATE TABLE services (id text PRIMARY KEY, name text, org text, description text, tags text, functie text[], doelgroep text[], financiering text[], lat float8, lon float8, place text);\n\
             \\copy services FROM '{}'\n\
             ALTER TABLE services ADD COLUMN tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('dutch', name), 'A') || setweight(to_tsvector('dutch', tags), 'B') || setweight(to_tsvector('dutch', org || ' ' || place), 'C') || to_tsvector('dutch', description)) STORED;\n\
             CREATE INDEX services_tsv ON services USING gin (tsv);\n\
             CREATE INDEX services_functie ON services USING gin (functie);\n\
             CREATE INDEX services_doelgroep ON services USING gin (doelgroep);\n\
             CREATE INDEX services_financiering ON services USING gin (financiering);\n\
             CREATE INDEX services_latlon ON services (lat, lon);\n\
             VACUUM ANALYZE services;\n",
            dir.join("services.tsv").canonicalize()?.display()
        ),
    )?;
    // The same mix as the in-process benchmark: top 20 plus the total (no facet counts, which
    // favours PostgreSQL).
    for (i, (name, _, _)) in TYPES.iter().enumerate() {
        let mut sql = String::from("\\pset pager off\n");
        // The same queries timed at the client on one connection, results discarded.
        let mut client = String::from("\\timing on\n\\o /dev/null\n");
        for k in 0..repeat {
            let (lat, lon) = {
                let p = point(ctx, k);
                (p.lat, p.lon)
            };
            let body = match i {
                0 => format!(
                    "SELECT id, count(*) OVER () FROM services, plainto_tsquery('dutch', '{}') q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20",
                    RARE_WORDS[k % RARE_WORDS.len()]
                ),
                1 => format!(
                    "SELECT id, count(*) OVER () FROM services, plainto_tsquery('dutch', '{}') q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20",
                    ["mantelzorgers", "hulp", "zorg"][k % 3]
                ),
                2 => format!(
                    "SELECT id, count(*) OVER () FROM services, to_tsquery('dutch', '{}:*') q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20",
                    ["dagbes", "mantelz", "respij", "lotgen"][k % 4]
                ),
                3 => format!(
                    "SELECT id, count(*) OVER () FROM services, plainto_tsquery('dutch', '{}') q WHERE tsv @@ q AND functie @> '{{respijtzorg}}' AND financiering @> '{{wmo}}' ORDER BY ts_rank(tsv, q) DESC LIMIT 20",
                    ["dementie", "ondersteuning", "dag"][k % 3]
                ),
                4 => format!(
                    "SELECT id, count(*) OVER () FROM services WHERE tsv @@ plainto_tsquery('dutch', 'dagbesteding') ORDER BY (lat - {lat})^2 + ((lon - {lon}) * cos(radians({lat})))^2 LIMIT 20"
                ),
                5 => format!(
                    "SELECT id, count(*) OVER () FROM services WHERE lat BETWEEN {} AND {} AND lon BETWEEN {} AND {} ORDER BY (lat - {lat})^2 + ((lon - {lon}) * cos(radians({lat})))^2 LIMIT 20",
                    lat - 0.09,
                    lat + 0.09,
                    lon - 0.15,
                    lon + 0.15
                ),
                _ => format!(
                    "SELECT id, count(*) OVER () FROM services WHERE functie @> '{{{}}}' AND doelgroep @> '{{oudere-mantelzorgers}}' ORDER BY name LIMIT 20",
                    ["respijtzorg", "educatie", "praktische-hulp"][k % 3]
                ),
            };
            let _ = writeln!(sql, "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) {body};");
            let _ = writeln!(client, "{body};");
        }
        std::fs::write(dir.join(format!("query-{i}.sql")), sql)?;
        std::fs::write(dir.join(format!("client-{i}.sql")), client)?;
        println!("{i}\t{name}");
    }
    Ok(())
}

/// The API's form of the query classes (the API filters by one taxonomy term, not facets).
fn api_path(class: &str, ctx: &Ctx, k: usize) -> String {
    let pc = &ctx.pc4[(k * 97) % ctx.pc4.len()].0;
    let respite = kapstok_demo::taxonomy::term_id("functie", "respijtzorg");
    let rest = match class {
        "rare" => format!("search={}", RARE_WORDS[k % RARE_WORDS.len()]),
        "common" => format!("search={}", ["mantelzorgers", "hulp", "zorg"][k % 3]),
        "text+facet" => format!(
            "search={}&taxonomy_term_id={respite}",
            ["dementie", "ondersteuning", "dag"][k % 3]
        ),
        "text+postcode" => format!("search=dagbesteding&postcode={pc}"),
        "postcode 10 km" => format!("postcode={pc}&radius=10"),
        // The floor: an HTTP round trip with the smallest JSON answer, no search.
        "round trip alone" => return "/api/taxonomies?per_page=1".into(),
        _ => format!("taxonomy_term_id={respite}"),
    };
    format!("/api/services?{rest}&per_page=10")
}

/// One GET on a kept-alive connection; the body's length.
fn get(stream: &mut std::net::TcpStream, path: &str) -> Result<usize> {
    use std::io::{BufRead, Read};
    write!(stream, "GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n")?;
    let mut reader = std::io::BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    anyhow::ensure!(line.contains(" 200 "), "{path}: {line}");
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    anyhow::ensure!(
        reader.buffer().is_empty(),
        "unexpected bytes after the body"
    );
    Ok(length)
}

fn http_bench(ctx: &Ctx, addr: &str, runs: usize) -> Result<()> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    println!("| query class | Kapstok JSON API p50 ms | p99 ms |");
    println!("|---|---:|---:|");
    for class in [
        "rare",
        "common",
        "text+facet",
        "text+postcode",
        "postcode 10 km",
        "round trip alone",
    ] {
        for k in 0..20 {
            get(&mut stream, &api_path(class, ctx, k))?;
        }
        let mut times = Vec::with_capacity(runs);
        for k in 0..runs {
            let path = api_path(class, ctx, k);
            let t = Instant::now();
            black_box(get(&mut stream, &path)?);
            times.push(t.elapsed());
        }
        times.sort_unstable();
        println!(
            "| {class} | {:.3} | {:.3} |",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3
        );
    }
    Ok(())
}

fn pg_percentiles(client: bool) -> Result<()> {
    let prefix = if client { "Time: " } else { "Execution Time: " };
    let mut input = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)?;
    let mut ms: Vec<f64> = input
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix(prefix)?
                .strip_suffix(" ms")?
                .parse()
                .ok()
        })
        .collect();
    anyhow::ensure!(!ms.is_empty(), "no {prefix:?} lines");
    ms.sort_by(f64::total_cmp);
    let pick = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1] * 1000.0;
    println!("{:.1}\t{:.1}", pick(0.5), pick(0.99));
    Ok(())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if let Command::PgPercentiles { client } = cli.command {
        return pg_percentiles(client);
    }
    if let Command::Inbox {
        referrals,
        teams,
        runs,
        database,
    } = cli.command
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(inbox::run(referrals, teams, runs, database));
    }
    if let Command::Dashboard {
        referrals,
        runs,
        database,
    } = cli.command
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(dashboard::run(referrals, runs, database));
    }
    let ctx = Ctx {
        pc4: read_pc4(&cli.pc4)?,
    };
    if let Command::Publish {
        services,
        runs,
        database,
    } = cli.command
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(publish::run(&ctx.pc4, services, runs, database));
    }
    match cli.command {
        Command::Generate {
            services,
            out,
            areas_out,
        } => {
            let national = synthetic::national(services, &ctx.pc4);
            std::fs::write(&out, serde_json::to_string(&national.directory)?)?;
            if let Some(path) = areas_out {
                let mut w = csv::Writer::from_path(path)?;
                w.write_record(["area_code", "area_name", "municipality", "postcode"])?;
                for m in &national.area_postcodes {
                    let a = national
                        .areas
                        .iter()
                        .find(|a| a.code == m.area_code)
                        .expect("area");
                    w.write_record([
                        a.code.as_str(),
                        &a.name,
                        &a.municipality,
                        m.postcode.as_str(),
                    ])?;
                }
                w.flush()?;
            }
            eprintln!("{services} services written to {}", out.display());
        }
        Command::Search { sizes } => search_bench(&ctx, &sizes),
        Command::PgSql {
            services,
            out_dir,
            repeat,
        } => pg_sql(&ctx, services, &out_dir, repeat)?,
        Command::PgPercentiles { .. }
        | Command::Inbox { .. }
        | Command::Dashboard { .. }
        | Command::Publish { .. } => {
            unreachable!("handled above")
        }
        Command::Http { addr, runs } => http_bench(&ctx, &addr, runs)?,
    }
    Ok(())
}
