//! A few Prometheus metrics, kept in the app state rather than a process-global recorder so
//! that several servers in one process (the tests) each count their own.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Default)]
pub struct Metrics {
    /// Responses by status class: 1xx … 5xx.
    by_class: [AtomicU64; 5],
    /// Cumulative counts per bucket, plus +Inf.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    /// Sum of durations in microseconds.
    sum_micros: AtomicU64,
    started: std::sync::OnceLock<Instant>,
}

pub type SharedMetrics = Arc<Metrics>;

impl Metrics {
    fn observe(&self, status: u16, seconds: f64) {
        let class = usize::from((status / 100).clamp(1, 5)) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.buckets[BUCKETS.len()].fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let uptime = self
            .started
            .get_or_init(Instant::now)
            .elapsed()
            .as_secs_f64();
        let _ = writeln!(
            out,
            "# HELP larnav_uptime_seconds Seconds since this instance started."
        );
        let _ = writeln!(
            out,
            "# TYPE larnav_uptime_seconds gauge\nlarnav_uptime_seconds {uptime:.3}"
        );
        let _ = writeln!(
            out,
            "# HELP larnav_http_responses_total HTTP responses by status class."
        );
        let _ = writeln!(out, "# TYPE larnav_http_responses_total counter");
        for (i, c) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                out,
                "larnav_http_responses_total{{class=\"{}xx\"}} {}",
                i + 1,
                c.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP larnav_http_request_duration_seconds Time to produce a response."
        );
        let _ = writeln!(out, "# TYPE larnav_http_request_duration_seconds histogram");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let n = self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "larnav_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {n}"
            );
        }
        let total = self.buckets[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "larnav_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {total}"
        );
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "larnav_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "larnav_http_request_duration_seconds_count {total}");
        out
    }
}

/// Counts every response and its latency.
pub async fn track(State(metrics): State<SharedMetrics>, request: Request, next: Next) -> Response {
    metrics.started.get_or_init(Instant::now);
    let start = Instant::now();
    let response = next.run(request).await;
    metrics.observe(response.status().as_u16(), start.elapsed().as_secs_f64());
    response
}
