//! The search benchmark (BENCHMARKS.md, "Search"): indexing speed and size, then query latency
//! for four kinds of query (term, unaccented, phrase, phrase + date filter), each with snippets
//! and facets, at one and two concurrent clients, on a generated corpus of Vietnamese
//! administrative documents; then the same corpus and queries on PostgreSQL full-text search
//! (`simple` + `unaccent`, GIN index, `ts_rank` top 10 with `ts_headline`), in the same run.
//!
//! `cargo bench -p search --bench search`; environment:
//! - `VANTHU_BENCH_DOCS`: corpus size (default 100,000);
//! - `VANTHU_BENCH_QUERIES`: queries per kind for the index (default 200);
//! - `VANTHU_BENCH_PG_QUERIES`: queries per kind for PostgreSQL (default 20; 0 skips it);
//! - `VANTHU_BENCH_PG`: the `psql` connection options (default `-h 127.0.0.1 -U postgres`);
//! - `VANTHU_BENCH_EXACT=1`: exact totals and facets on every query (every match visited, the
//!   behaviour before bounded totals), instead of the application's default (totals exact up to
//!   10,000, no facets);
//! - `VANTHU_BENCH_DIR`: where the index and the results go (default `target/bench-search`), so
//!   that indexes of two sizes can be kept;
//! - `VANTHU_BENCH_REUSE_INDEX=1`: reuse the index of an earlier run of the same size (the corpus
//!   is then not generated unless PostgreSQL runs too);
//! - `VANTHU_BENCH_SLOWEST=N`: print the N slowest queries of each kind;
//! - `VANTHU_BENCH_CHECK=0`: skip checking the pruned top 10 against the exhaustive one (the first
//!   25 queries of each kind).
//!
//! PostgreSQL gets a scratch database, `vanthu_bench_search`, dropped at the end.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
#![expect(clippy::unwrap_used, reason = "a benchmark, not a library")]

mod corpus;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use search::{
    DEFAULT_TOTAL_UP_TO, Filters, IndexedDocument, Scope, SearchIndex, SearchQuery, Sort,
    WriterOptions,
};

use crate::corpus::{CONTENT, Generator, Rng, SEARCHED_ORGANIZATION, unaccent};

const KINDS: [&str; 4] = ["term", "unaccented", "phrase", "phrase + date"];
const DATABASE: &str = "vanthu_bench_search";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let documents = env_usize("VANTHU_BENCH_DOCS", 100_000);
    let per_kind = env_usize("VANTHU_BENCH_QUERIES", 200);
    let pg_per_kind = env_usize("VANTHU_BENCH_PG_QUERIES", 20);
    let out = std::env::var_os("VANTHU_BENCH_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-search"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&out).unwrap();
    let mut report = String::new();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    writeln!(report, "corpus: {documents} documents; {cpus} CPUs").unwrap();

    // `VANTHU_BENCH_REUSE_INDEX=1` keeps an index of the same size from an earlier run (for
    // profiling the queries); without PostgreSQL the corpus itself is then not generated.
    let index_dir = out.join("index");
    let reuse = std::env::var("VANTHU_BENCH_REUSE_INDEX").is_ok_and(|value| value == "1");
    let existing = reuse
        .then(|| SearchIndex::open_or_create(&index_dir).ok())
        .flatten()
        .filter(|index| index.num_docs() == documents as u64);
    let generator = Generator::new();
    let started = Instant::now();
    let corpus = if existing.is_some() && pg_per_kind == 0 {
        Vec::new()
    } else {
        generate(&generator, documents)
    };
    let input_bytes: usize = corpus
        .iter()
        .map(|d| d.text.len() + d.subject.as_ref().map_or(0, String::len))
        .sum();
    writeln!(
        report,
        "generated in {:.1} s: {:.0} MB of text, {:.0} syllables per document on average",
        started.elapsed().as_secs_f64(),
        input_bytes as f64 / 1e6,
        corpus
            .iter()
            .map(|d| d.text.split_whitespace().count())
            .sum::<usize>() as f64
            / documents.max(1) as f64
    )
    .unwrap();
    println!("{report}");

    // Indexing: two threads, as on the 2-core target machine.
    let index = match existing {
        Some(index) => {
            println!("index: reused");
            index
        }
        None => {
            let index = SearchIndex::recreate(&index_dir).unwrap();
            let mut writer = index
                .writer_with(WriterOptions {
                    threads: 2,
                    memory_bytes: 1 << 30,
                })
                .unwrap();
            let started = Instant::now();
            for document in &corpus {
                writer.upsert(document).unwrap();
            }
            writer.commit().unwrap();
            writer.finish().unwrap();
            let index_seconds = started.elapsed().as_secs_f64();
            let index_size = directory_size(&index_dir);
            let line = format!(
                "index: {index_seconds:.1} s, {:.0} docs/s, {:.1} MB/s of text, {:.0} MB on disk \
                 ({:.1} KB per document)",
                documents as f64 / index_seconds,
                input_bytes as f64 / 1e6 / index_seconds,
                index_size as f64 / 1e6,
                index_size as f64 / 1e3 / documents as f64
            );
            println!("{line}");
            report.push_str(&line);
            report.push('\n');
            index
        }
    };

    let queries = queries(&generator, documents, per_kind);
    let pg_tsv = (pg_per_kind > 0).then(|| {
        let path = out.join("corpus.tsv");
        write_tsv(&corpus, &path);
        path
    });
    drop(corpus);

    // Warm-up (untimed): the first query of each kind, and page cache.
    for (_, query) in queries.iter().step_by(per_kind.max(1) / 4 + 1) {
        index.search(query).unwrap();
    }
    // The pruned top 10 must be the exhaustive one: the first 25 queries of each kind, checked.
    let pruned = queries
        .iter()
        .filter(|(_, query)| query.total_up_to.is_some());
    let check = std::env::var("VANTHU_BENCH_CHECK").map_or(true, |value| value != "0");
    for (checked, (_, query)) in pruned.enumerate() {
        if check && checked % per_kind.max(1) < 25 {
            let mut exhaustive = query.clone();
            exhaustive.total_up_to = None;
            exhaustive.facets = true;
            let (fast, slow) = (
                index.search(query).unwrap(),
                index.search(&exhaustive).unwrap(),
            );
            assert_eq!(fast.hits, slow.hits, "{:?}", query.text);
            assert!(fast.total == slow.total || fast.total == DEFAULT_TOTAL_UP_TO);
        }
    }
    let mode = match queries.first() {
        Some((_, query)) if query.facets => "exact totals and facets (every match visited)",
        _ => {
            "totals exact up to 10,000, no facets, top 10 by MaxScore (checked against exhaustive)"
        }
    };
    println!("queries: {mode}");
    writeln!(report, "queries: {mode}").unwrap();
    let mut table = String::from(
        "| engine | clients | term p50/p95/p99 | unaccented | phrase | phrase + date | QPS | \
         mean total hits (term/unacc./phrase/date) |\n|---|---|---|---|---|---|---|---|\n",
    );
    for clients in [1, 2] {
        let (latencies, wall, totals) = run_index(&index, &queries, clients);
        table.push_str(&row(
            "Vanthu search (tantivy)",
            clients,
            &latencies,
            wall,
            Some(&totals),
        ));
    }
    println!("{table}");
    // `VANTHU_BENCH_SLOWEST=N`: the N slowest queries of each kind, one client, for profiling.
    let slowest = env_usize("VANTHU_BENCH_SLOWEST", 0);
    if slowest > 0 {
        let mut timed: Vec<(usize, Duration, &str, u64)> = queries
            .iter()
            .map(|(kind, query)| {
                let started = Instant::now();
                let results = index.search(query).unwrap();
                (*kind, started.elapsed(), query.text.as_str(), results.total)
            })
            .collect();
        timed.sort_by_key(|timed| std::cmp::Reverse(timed.1));
        for (kind, name) in KINDS.iter().enumerate() {
            for (_, latency, text, total) in timed.iter().filter(|t| t.0 == kind).take(slowest) {
                let latency = latency.as_secs_f64() * 1e3;
                println!("slow {name}: {latency:.1} ms {text:?} ({total})");
            }
        }
    }

    if let Some(tsv) = pg_tsv {
        match postgres(&tsv, &queries, per_kind, pg_per_kind, documents) {
            Ok((load, rows)) => {
                report.push_str(&load);
                report.push('\n');
                println!("{load}");
                table.push_str(&rows);
            }
            Err(error) => {
                let line = format!("PostgreSQL skipped: {error}");
                println!("{line}");
                report.push_str(&line);
                report.push('\n');
            }
        }
        std::fs::remove_file(&tsv).ok();
    }
    report.push('\n');
    report.push_str(&table);
    println!("{table}");
    std::fs::write(out.join("results.md"), &report).unwrap();
    println!("written to {}", out.join("results.md").display());
}

/// Generates the corpus on all cores (each document depends on its id only).
fn generate(generator: &Generator, documents: usize) -> Vec<IndexedDocument> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = documents.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                scope.spawn(move || {
                    let first = thread * chunk + 1;
                    let last = ((thread + 1) * chunk).min(documents);
                    (first..=last)
                        .map(|id| generator.document(id as i64))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap())
            .collect()
    })
}

/// The benchmark queries: `per_kind` of each kind, in kind order, all as the searched
/// organisation with clearance 0, ten hits with snippets.
fn queries(generator: &Generator, documents: usize, per_kind: usize) -> Vec<(usize, SearchQuery)> {
    let mut rng = Rng::new(7);
    let content = corpus::Zipf::new(CONTENT.len());
    let mut base = SearchQuery {
        text: String::new(),
        scope: Scope {
            organization_id: SEARCHED_ORGANIZATION,
            clearance: 0,
            restricted: None,
        },
        filters: Filters::default(),
        sort: Sort::Relevance,
        limit: 10,
        offset: 0,
        total_up_to: Some(DEFAULT_TOTAL_UP_TO),
        facets: false,
    };
    let exact = std::env::var("VANTHU_BENCH_EXACT").is_ok_and(|value| value == "1");
    if exact {
        base.total_up_to = None;
        base.facets = true;
    }
    let mut all = Vec::new();
    for kind in 0..KINDS.len() {
        for _ in 0..per_kind {
            let mut query = base.clone();
            query.text = match kind {
                // One vocabulary word (one to four syllables) as typed with diacritics.
                0 => CONTENT[content.draw(&mut rng)].to_owned(),
                // One or two words typed without diacritics.
                1 => {
                    let words = 1 + rng.below(2);
                    let text: Vec<&str> = (0..words)
                        .map(|_| CONTENT[content.draw(&mut rng)])
                        .collect();
                    unaccent(&text.join(" ")).to_lowercase()
                }
                // A quoted phrase of 2 to 4 syllables: a multi-syllable term (70%) or syllables
                // taken from a document (30%), with or without diacritics.
                _ => {
                    let phrase = if rng.chance(70) {
                        loop {
                            let word = CONTENT[content.draw(&mut rng)];
                            if word.split_whitespace().count() >= 2 {
                                break word.to_owned();
                            }
                        }
                    } else {
                        let id = 1 + rng.below(documents.min(5_000)) as i64;
                        let text = generator.document(id).text;
                        let syllables: Vec<&str> = text
                            .split(|c: char| !c.is_alphanumeric())
                            .filter(|s| !s.is_empty() && !s.chars().all(|c| c.is_ascii_digit()))
                            .collect();
                        let length = 2 + rng.below(3);
                        let start = rng.below(syllables.len().saturating_sub(length).max(1));
                        syllables[start..(start + length).min(syllables.len())].join(" ")
                    };
                    let phrase = if rng.chance(50) {
                        unaccent(&phrase)
                    } else {
                        phrase
                    };
                    format!("\"{}\"", phrase.to_lowercase())
                }
            };
            if kind == 3 {
                let from = Generator::date(&mut rng);
                query.filters.date_from = Some(from);
                query.filters.date_to = Some(from + time::Duration::days(365));
            }
            all.push((kind, query));
        }
    }
    all
}

/// Runs every query on `clients` threads at once (each runs the whole list); returns the
/// latencies per kind, the wall time, and the mean total hits per kind.
fn run_index(
    index: &SearchIndex,
    queries: &[(usize, SearchQuery)],
    clients: usize,
) -> ([Vec<Duration>; 4], Duration, [f64; 4]) {
    let started = Instant::now();
    let per_client: Vec<Vec<(usize, Duration, u64)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                scope.spawn(move || {
                    // The second client runs the list backwards, so the two differ.
                    let mut order: Vec<&(usize, SearchQuery)> = queries.iter().collect();
                    if client % 2 == 1 {
                        order.reverse();
                    }
                    order
                        .into_iter()
                        .map(|(kind, query)| {
                            let started = Instant::now();
                            let results = index.search(query).unwrap();
                            (*kind, started.elapsed(), results.total)
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = started.elapsed();
    let mut latencies: [Vec<Duration>; 4] = Default::default();
    let mut totals = [0.0; 4];
    let mut counts = [0.0; 4];
    for (kind, latency, total) in per_client.into_iter().flatten() {
        latencies[kind].push(latency);
        totals[kind] += total as f64;
        counts[kind] += 1.0;
    }
    for kind in 0..4 {
        totals[kind] /= f64::max(counts[kind], 1.0);
    }
    (latencies, wall, totals)
}

fn percentiles(latencies: &[Duration]) -> String {
    if latencies.is_empty() {
        return "—".to_owned();
    }
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let at = |p: f64| {
        let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1].as_secs_f64() * 1e3
    };
    format!("{}/{}/{}", ms(at(0.50)), ms(at(0.95)), ms(at(0.99)))
}

fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.0}")
    }
}

fn row(
    engine: &str,
    clients: usize,
    latencies: &[Vec<Duration>; 4],
    wall: Duration,
    totals: Option<&[f64; 4]>,
) -> String {
    let count: usize = latencies.iter().map(Vec::len).sum();
    let qps = count as f64 / wall.as_secs_f64();
    let totals = totals.map_or("—".to_owned(), |t| {
        format!("{:.0} / {:.0} / {:.0} / {:.0}", t[0], t[1], t[2], t[3])
    });
    format!(
        "| {engine} | {clients} | {} | {} | {} | {} | {} | {totals} |\n",
        percentiles(&latencies[0]),
        percentiles(&latencies[1]),
        percentiles(&latencies[2]),
        percentiles(&latencies[3]),
        if qps < 10.0 {
            format!("{qps:.2}")
        } else {
            format!("{qps:.0}")
        },
    )
}

fn directory_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| entry.ok()?.metadata().ok())
        .filter(|metadata| metadata.is_file())
        .map(|metadata| metadata.len())
        .sum()
}

/// The corpus as PostgreSQL's COPY text format.
fn write_tsv(corpus: &[IndexedDocument], path: &Path) {
    let escape = |text: &str| {
        text.replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for d in corpus {
        writeln!(
            file,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            d.id,
            d.organization_id,
            d.secrecy_level,
            d.date.map_or("\\N".to_owned(), |date| date.to_string()),
            escape(d.type_code.as_deref().unwrap_or_default()),
            escape(d.issuer.as_deref().unwrap_or_default()),
            escape(d.subject.as_deref().unwrap_or_default()),
            escape(&d.text),
        )
        .unwrap();
    }
    file.flush().unwrap();
}

fn psql_options() -> Vec<String> {
    std::env::var("VANTHU_BENCH_PG")
        .unwrap_or_else(|_| "-h 127.0.0.1 -U postgres".to_owned())
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Runs psql with these arguments; returns its stdout.
fn psql(database: &str, arguments: &[&str]) -> Result<String, String> {
    let output = Command::new("psql")
        .args(psql_options())
        .args([
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            database,
        ])
        .args(arguments)
        .output()
        .map_err(|error| format!("psql: {error}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Drops the scratch database however the comparison ends.
struct ScratchDatabase;

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        psql(
            "postgres",
            &["-c", &format!("DROP DATABASE IF EXISTS {DATABASE}")],
        )
        .ok();
    }
}

/// Loads the corpus into PostgreSQL and runs the first `pg_per_kind` queries of each kind;
/// returns the load line and the table rows.
fn postgres(
    tsv: &Path,
    queries: &[(usize, SearchQuery)],
    per_kind: usize,
    pg_per_kind: usize,
    documents: usize,
) -> Result<(String, String), String> {
    psql(
        "postgres",
        &["-c", &format!("DROP DATABASE IF EXISTS {DATABASE}")],
    )?;
    psql("postgres", &["-c", &format!("CREATE DATABASE {DATABASE}")])?;
    let _scratch = ScratchDatabase;
    let version = psql(DATABASE, &["-c", "SHOW server_version"])?;
    psql(
        DATABASE,
        &[
            "-c",
            "CREATE EXTENSION unaccent",
            "-c",
            "CREATE TEXT SEARCH CONFIGURATION vn (COPY = simple)",
            "-c",
            "ALTER TEXT SEARCH CONFIGURATION vn ALTER MAPPING FOR hword, hword_part, word \
             WITH unaccent, simple",
            "-c",
            "CREATE TABLE docs (id bigint PRIMARY KEY, org bigint NOT NULL, secrecy int NOT NULL, \
             date date, type_code text, issuer text, subject text, body text NOT NULL, \
             tsv tsvector GENERATED ALWAYS AS \
             (to_tsvector('vn', coalesce(subject, '') || ' ' || body)) STORED)",
        ],
    )?;
    let started = Instant::now();
    psql(
        DATABASE,
        &[
            "-c",
            &format!(
                "\\copy docs (id, org, secrecy, date, type_code, issuer, subject, body) FROM '{}'",
                tsv.display()
            ),
        ],
    )?;
    let loaded = started.elapsed().as_secs_f64();
    psql(
        DATABASE,
        &[
            "-c",
            "CREATE INDEX docs_tsv ON docs USING gin (tsv)",
            "-c",
            "CREATE INDEX docs_date ON docs (date)",
            "-c",
            "VACUUM ANALYZE docs",
        ],
    )?;
    let total = started.elapsed().as_secs_f64();
    let size: f64 = psql(DATABASE, &["-c", "SELECT pg_total_relation_size('docs')"])?
        .trim()
        .parse()
        .unwrap_or(0.0);
    let gin: f64 = psql(DATABASE, &["-c", "SELECT pg_relation_size('docs_tsv')"])?
        .trim()
        .parse()
        .unwrap_or(0.0);
    let load = format!(
        "PostgreSQL {}: COPY with the generated tsvector {loaded:.1} s, + GIN and VACUUM ANALYZE \
         = {total:.1} s ({:.0} docs/s), {:.0} MB (GIN {:.0} MB)",
        version.trim(),
        documents as f64 / total,
        size / 1e6,
        gin / 1e6
    );

    let mut script = String::from("\\timing on\n");
    let mut kinds = Vec::new();
    for (index, (kind, query)) in queries.iter().enumerate() {
        if index % per_kind.max(1) >= pg_per_kind {
            continue;
        }
        kinds.push(*kind);
        let text = query.text.replace('"', "");
        let function = if query.text.starts_with('"') {
            "phraseto_tsquery"
        } else {
            "plainto_tsquery"
        };
        let date = match (query.filters.date_from, query.filters.date_to) {
            (Some(from), Some(to)) => format!(" AND date BETWEEN '{from}' AND '{to}'"),
            _ => String::new(),
        };
        writeln!(
            script,
            "SELECT id, ts_headline('vn', body, q, 'StartSel=<mark>, StopSel=</mark>') FROM \
             (SELECT id, body, q FROM docs, {function}('vn', $q${text}$q$) q WHERE tsv @@ q \
             AND org = {} AND secrecy <= {}{date} ORDER BY ts_rank(tsv, q) DESC LIMIT 10) top;",
            query.scope.organization_id, query.scope.clearance
        )
        .unwrap();
    }
    let script_path = tsv.with_extension("sql");
    std::fs::write(&script_path, &script).map_err(|e| e.to_string())?;
    // Warm the cache with one pass of the first query of each kind.
    let mut rows = String::new();
    for clients in [1, 2] {
        let started = Instant::now();
        let outputs: Vec<Result<String, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..clients)
                .map(|_| {
                    let path: PathBuf = script_path.clone();
                    scope.spawn(move || {
                        psql(
                            DATABASE,
                            &["-f", &path.display().to_string(), "-o", "/dev/null"],
                        )
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let wall = started.elapsed();
        let mut latencies: [Vec<Duration>; 4] = Default::default();
        for output in outputs {
            let times = output?
                .lines()
                .filter_map(|line| line.strip_prefix("Time: "))
                .filter_map(|line| line.split_whitespace().next()?.parse::<f64>().ok())
                .collect::<Vec<_>>();
            for (kind, time) in kinds.iter().zip(times) {
                latencies[*kind].push(Duration::from_secs_f64(time / 1e3));
            }
        }
        rows.push_str(&row("PostgreSQL FTS", clients, &latencies, wall, None));
    }
    std::fs::remove_file(&script_path).ok();
    Ok((load, rows))
}
