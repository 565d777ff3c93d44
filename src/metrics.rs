//! Prometheus metrics: policies signed, requests and latency by route, errors by kind.
//! The registry only; `web` feeds it from a middleware and serves `/metrics`.

use std::time::Duration;

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry};

/// The app's metrics, registered in their own registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Upload policies signed (pages and API).
    pub policies_signed: IntCounter,
    requests: IntCounterVec,
    latency: HistogramVec,
    errors: IntCounterVec,
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let policies_signed = IntCounter::new(
            "postbox_policies_signed_total",
            "Upload policies signed, for pages and the API.",
        )
        .expect("valid metric");
        let requests = IntCounterVec::new(
            Opts::new(
                "postbox_http_requests_total",
                "HTTP requests by route, method and status.",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "postbox_http_request_duration_seconds",
                "Time to answer HTTP requests, by route.",
            )
            .buckets(vec![
                0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05, 0.25, 1.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let errors = IntCounterVec::new(
            Opts::new("postbox_errors_total", "Errors answered, by kind."),
            &["kind"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(policies_signed.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(requests.clone()),
            Box::new(latency.clone()),
            Box::new(errors.clone()),
        ] {
            registry.register(metric).expect("metric names are unique");
        }
        Self {
            registry,
            policies_signed,
            requests,
            latency,
            errors,
        }
    }

    /// Counts one error of `kind`.
    pub fn error(&self, kind: &str) {
        self.errors.with_label_values(&[kind]).inc();
    }

    /// Counts one answered request and its time, under its route pattern.
    pub fn request(&self, route: &str, method: &str, status: &str, took: Duration) {
        self.requests
            .with_label_values(&[route, method, status])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(took.as_secs_f64());
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for the text format.
        let _ = prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
