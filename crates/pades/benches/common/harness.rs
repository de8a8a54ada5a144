//! The benchmarks' measuring and reporting (BENCHMARKS.md), shared by `sign.rs` and `validate.rs`
//! through `#[path = "common/harness.rs"] mod harness;`: warm-ups then timed runs, nearest-rank
//! percentiles, and the pyHanko script run with the venv's Python after the Rust cases.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Timed runs per case, after [`WARMUPS`] untimed ones.
pub(crate) const ITERATIONS: usize = 30;
/// Untimed runs per case, to fill caches and let the allocator settle.
pub(crate) const WARMUPS: usize = 3;

pub(crate) type BenchResult<T> = Result<T, Box<dyn Error>>;

/// The distribution of one case's run times.
#[derive(Clone, Copy)]
pub(crate) struct Stats {
    pub(crate) p50: Duration,
    pub(crate) p95: Duration,
    pub(crate) min: Duration,
}

/// Runs `operation` [`WARMUPS`] times untimed, then [`ITERATIONS`] times timed.
pub(crate) fn measure<T, E: Into<Box<dyn Error>>>(
    mut operation: impl FnMut() -> Result<T, E>,
) -> BenchResult<Stats> {
    for _ in 0..WARMUPS {
        operation().map_err(Into::into)?;
    }
    let mut samples = Vec::with_capacity(ITERATIONS);
    for _ in 0..ITERATIONS {
        let start = Instant::now();
        let result = operation();
        samples.push(start.elapsed());
        result.map_err(Into::into)?;
    }
    Ok(stats(samples))
}

/// Nearest-rank percentiles.
pub(crate) fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let rank = |percent: usize| {
        let index = (samples.len() * percent).div_ceil(100).saturating_sub(1);
        samples.get(index).copied().unwrap_or_default()
    };
    Stats {
        p50: rank(50),
        p95: rank(95),
        min: rank(0),
    }
}

/// Milliseconds with three decimals.
pub(crate) fn ms(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1e3)
}

/// `value / floor`, safe for a zero floor.
pub(crate) fn ratio(value: Duration, floor: Duration) -> f64 {
    value.as_secs_f64() / floor.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// `floor`'s p50 in the `file:key=ms` form the pyHanko scripts read, so that their ratios use
/// the Rust run's floors.
pub(crate) fn floor_arg(file: &str, key: &str, floor: Stats) -> String {
    format!("{file}:{key}={:.6}", floor.p50.as_secs_f64() * 1e3)
}

/// Runs `benches/<script>` on the inputs of `inputs_dir` with the pyHanko of
/// `target/oracles-venv` (`root` is the workspace), with the iteration counts and `floors`;
/// prints a note instead when the venv is missing.
pub(crate) fn run_pyhanko(
    root: &Path,
    script: &str,
    inputs_dir: &Path,
    floors: &[String],
) -> BenchResult<()> {
    let python: PathBuf = root.join("target/oracles-venv/bin/python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join(script);
    if !python.exists() {
        println!(
            "pyHanko skipped: {} is missing; create it with \
             `python3 -m venv target/oracles-venv && target/oracles-venv/bin/pip install \
             pyhanko==0.38.0` (ORACLES.md).",
            python.display()
        );
        return Ok(());
    }
    let status = Command::new(&python)
        .arg(&script)
        .arg(inputs_dir)
        .arg(ITERATIONS.to_string())
        .arg(WARMUPS.to_string())
        .args(floors)
        .status()?;
    if !status.success() {
        return Err(format!("{} failed: {status}", script.display()).into());
    }
    Ok(())
}
