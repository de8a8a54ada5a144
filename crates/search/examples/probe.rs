//! Times single queries against an existing index (profiling aid): `probe DIR "query"...`.
#![expect(clippy::print_stdout, reason = "a profiling tool reports on stdout")]
#![expect(clippy::unwrap_used, reason = "a profiling tool, not a library")]

use std::time::Instant;

use search::{DEFAULT_TOTAL_UP_TO, Filters, Scope, SearchIndex, SearchQuery, Sort};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap();
    let index = SearchIndex::open_or_create(std::path::Path::new(&dir)).unwrap();
    let repeats: usize = std::env::var("PROBE_REPEATS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(15);
    for text in args {
        let query = SearchQuery {
            text: text.clone(),
            scope: Scope {
                organization_id: 1,
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
        let mut times = Vec::new();
        let mut first = None;
        for _ in 0..repeats {
            let started = Instant::now();
            let results = index.search(&query).unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            first.get_or_insert(results);
        }
        times.sort_by(f64::total_cmp);
        let results = first.unwrap();
        let ids: Vec<i64> = results.hits.iter().map(|hit| hit.id).collect();
        println!(
            "{text:?}: min {:.1} ms, median {:.1} ms; total {}; top {ids:?}",
            times[0],
            times[times.len() / 2],
            results.total
        );
    }
}
