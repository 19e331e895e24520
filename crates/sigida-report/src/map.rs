//! Maps drawn as SVG from coordinates alone: no tiles, no network. An equirectangular
//! projection corrected for latitude is exact enough at the scale of a community.

use maud::{Markup, html};

use crate::{Tr, format};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointKind {
    Locality,
    Service,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MapPoint {
    pub label: String,
    pub latitude: f64,
    pub longitude: f64,
    pub kind: PointKind,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 420.0;
const MARGIN: f64 = 36.0;

/// A map of the points, or nothing when none has coordinates.
pub fn points_map(tr: Tr, title: &str, points: &[MapPoint]) -> Option<Markup> {
    if points.is_empty() {
        return None;
    }
    let (mut lat_min, mut lat_max, mut lon_min, mut lon_max) =
        (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for p in points {
        lat_min = lat_min.min(p.latitude);
        lat_max = lat_max.max(p.latitude);
        lon_min = lon_min.min(p.longitude);
        lon_max = lon_max.max(p.longitude);
    }
    // At least ~2 km of extent so a single point sits in a readable frame.
    let pad = 0.01;
    let (lat_min, lat_max) = (lat_min - pad, lat_max + pad);
    let (lon_min, lon_max) = (lon_min - pad, lon_max + pad);
    let mid_lat = ((lat_min + lat_max) / 2.0).to_radians();
    let x_span = (lon_max - lon_min) * mid_lat.cos();
    let y_span = lat_max - lat_min;
    let scale = ((WIDTH - 2.0 * MARGIN) / x_span).min((HEIGHT - 2.0 * MARGIN) / y_span);
    let x_offset = (WIDTH - x_span * scale) / 2.0;
    let y_offset = (HEIGHT - y_span * scale) / 2.0;
    let project = |lat: f64, lon: f64| {
        (
            x_offset + (lon - lon_min) * mid_lat.cos() * scale,
            HEIGHT - (y_offset + (lat - lat_min) * scale),
        )
    };
    // A scale bar of a round number of kilometres, about a fifth of the width.
    let km_per_unit = 111.32 / scale;
    let target_km = km_per_unit * WIDTH / 5.0;
    let bar_km = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        .into_iter()
        .find(|&k| k >= target_km * 0.6)
        .unwrap_or(100.0);
    let bar_px = bar_km / km_per_unit;
    let (top_left, bottom_right) = (
        format::coordinates(tr, lat_max, lon_min),
        format::coordinates(tr, lat_min, lon_max),
    );
    Some(html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img"
            aria-labelledby="map-title" {
            title id="map-title" { (title) }
            rect x="0" y="0" width=(WIDTH) height=(HEIGHT) fill="#eef3f1" {}
            rect x="0.5" y="0.5" width=(WIDTH - 1.0) height=(HEIGHT - 1.0) fill="none" stroke="#b8c4c0" {}
            @for p in points.iter().filter(|p| p.kind == PointKind::Service) {
                @let (x, y) = project(p.latitude, p.longitude);
                rect x=(format!("{:.1}", x - 4.0)) y=(format!("{:.1}", y - 4.0)) width="8" height="8"
                    fill="#c8553d" stroke="#fff" stroke-width="1" { title { (p.label) } }
            }
            @for p in points.iter().filter(|p| p.kind == PointKind::Locality) {
                @let (x, y) = project(p.latitude, p.longitude);
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="8" fill="#0d5c63" stroke="#fff" stroke-width="2" {}
                text x=(format!("{:.1}", x + 11.0)) y=(format!("{:.1}", y + 5.0)) font-size="16"
                    font-family="sans-serif" fill="#1d2733" paint-order="stroke" stroke="#eef3f1" stroke-width="3" { (p.label) }
            }
            g font-family="sans-serif" font-size="12" fill="#5b6775" {
                line x1="16" y1=(HEIGHT - 18.0) x2=(format!("{:.1}", 16.0 + bar_px)) y2=(HEIGHT - 18.0) stroke="#1d2733" stroke-width="3" {}
                text x="16" y=(HEIGHT - 24.0) { (format::decimal(tr, bar_km, if bar_km < 1.0 { 1 } else { 0 })) " km" }
                text x="8" y="14" { "↖ " (top_left) }
                text x=(WIDTH - 8.0) y=(HEIGHT - 6.0) text-anchor="end" { (bottom_right) " ↘" }
                text x=(WIDTH - 14.0) y="26" text-anchor="middle" font-size="14" font-weight="bold" fill="#1d2733" { "N" }
                path d={"M" (WIDTH - 14.0) " 30 l-5 12 l5 -3 l5 3 z"} fill="#1d2733" {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_point_inside_the_frame() {
        let points = vec![
            MapPoint {
                label: "Château".into(),
                latitude: 16.27,
                longitude: -0.04,
                kind: PointKind::Locality,
            },
            MapPoint {
                label: "Sosso Koïra".into(),
                latitude: 16.29,
                longitude: -0.06,
                kind: PointKind::Locality,
            },
            MapPoint {
                label: "CSRéf".into(),
                latitude: 16.28,
                longitude: -0.05,
                kind: PointKind::Service,
            },
        ];
        let svg = points_map(Tr::default(), "Carte", &points)
            .unwrap()
            .into_string();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(
            svg.matches("<rect").count(),
            3,
            "background, frame and one service"
        );
        assert!(svg.contains("Sosso Koïra"));
        for cx in svg.split("cx=\"").skip(1) {
            let x: f64 = cx.split('"').next().unwrap().parse().unwrap();
            assert!((0.0..=WIDTH).contains(&x));
        }
        assert!(
            !svg.contains("http://") || svg.matches("http://").count() == 1,
            "only the SVG namespace"
        );
    }

    #[test]
    fn no_points_no_map() {
        assert!(points_map(Tr::default(), "Carte", &[]).is_none());
    }
}
