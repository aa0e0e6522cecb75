/// Charts drawn as inline SVG (no script, no external library): bars per
/// interval on a left axis of counts, and lines on a right axis of shares.
struct SVGChart {
    /// One series of bars, drawn in order (later bars over earlier ones).
    struct Bars {
        var name: String
        var cssClass: String
        var fill: String
        var values: [Double]
    }
    /// One line of shares (0…1); nil values break the line.
    struct Line {
        var name: String
        var stroke: String
        var values: [Double?]
        var dashed = false
    }

    var labels: [String]
    var bars: [Bars]
    var lines: [Line] = []
    var title: String
    var countAxis = "contacts"
    var shareAxis = "service level"

    static let width = 960.0, height = 300.0
    static let left = 48.0, right = 48.0, top = 16.0, bottom = 36.0

    /// The chart, with a `<title>` per bar and point for screen readers and tooltips.
    var svg: HTML {
        let w = Self.width - Self.left - Self.right, h = Self.height - Self.top - Self.bottom
        let n = max(1, labels.count)
        let step = w / Double(n)
        let maxCount = max(1, bars.flatMap(\.values).max() ?? 1)
        let scale = Self.niceMax(maxCount)
        func y(_ v: Double) -> Double { Self.top + h - h * min(max(v / scale, 0), 1) }
        func ys(_ v: Double) -> Double { Self.top + h - h * min(max(v, 0), 1) }
        var parts: [HTML] = []
        // Grid and axes.
        for i in 0...4 {
            let v = scale * Double(i) / 4, yy = y(v)
            parts.append("<line x1=\"\(Self.left, digits: 1)\" y1=\"\(yy, digits: 1)\" x2=\"\(Self.left + w, digits: 1)\" y2=\"\(yy, digits: 1)\" stroke=\"#e3e7ee\"/>")
            parts.append("<text x=\"\(Self.left - 6, digits: 1)\" y=\"\(yy + 4, digits: 1)\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6475\">\(Int(v.rounded()))</text>")
            if !lines.isEmpty {
                parts.append("<text x=\"\(Self.left + w + 6, digits: 1)\" y=\"\(yy + 4, digits: 1)\" font-size=\"11\" fill=\"#5b6475\">\(i * 25) %</text>")
            }
        }
        // Bars, each series a little narrower than the one behind it.
        for (k, series) in bars.enumerated() {
            let inset = step * (0.12 + 0.12 * Double(k))
            for (i, v) in series.values.enumerated() where v > 0 && i < n {
                let x = Self.left + Double(i) * step + inset / 2
                let label = i < labels.count ? labels[i] : ""
                parts.append("<rect class=\"\(series.cssClass)\" x=\"\(x, digits: 1)\" y=\"\(y(v), digits: 1)\" width=\"\(max(1, step - inset), digits: 1)\" height=\"\(Self.top + h - y(v), digits: 1)\" fill=\"\(series.fill)\"><title>\(label) \(series.name): \(Int(v.rounded()))</title></rect>")
            }
        }
        // Lines on the share axis.
        for line in lines {
            var path = ""
            var pen = false
            for (i, v) in line.values.enumerated() where i < n {
                guard let v else { pen = false; continue }
                let x = Self.left + (Double(i) + 0.5) * step
                path += (pen ? " L" : " M") + HTML.decimal(x, digits: 1) + " " + HTML.decimal(ys(v), digits: 1)
                pen = true
                let label = i < labels.count ? labels[i] : ""
                if !line.dashed {
                    parts.append("<circle cx=\"\(x, digits: 1)\" cy=\"\(ys(v), digits: 1)\" r=\"3\" fill=\"\(line.stroke)\"><title>\(label) \(line.name): \(v * 100, digits: 1) %</title></circle>")
                }
            }
            if !path.isEmpty {
                parts.append("<path d=\"\(path)\" fill=\"none\" stroke=\"\(line.stroke)\" stroke-width=\"2\"\(line.dashed ? HTML.raw(" stroke-dasharray=\"6 4\"") : HTML.raw(""))/>")
            }
        }
        // Interval labels, at most about 12.
        let every = max(1, Int((Double(n) / 12).rounded(.up)))
        for (i, label) in labels.enumerated() where i % every == 0 {
            parts.append("<text x=\"\(Self.left + (Double(i) + 0.5) * step, digits: 1)\" y=\"\(Self.height - 12, digits: 1)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#5b6475\">\(label)</text>")
        }
        return """
            <svg class="chart" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" aria-label="\(title)" xmlns="http://www.w3.org/2000/svg"><title>\(title)</title>\(parts)</svg>
            """
    }

    /// The legend under the chart: a swatch in each series' own colour.
    var legend: HTML {
        func swatch(_ colour: String) -> HTML {
            "<svg class=\"swatch\" width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" rx=\"2\" fill=\"\(colour)\"/></svg>"
        }
        let keys = bars.map { b -> HTML in "<span>\(swatch(b.fill)) \(b.name)</span>" }
            + lines.map { l -> HTML in "<span>\(swatch(l.stroke)) \(l.name)</span>" }
        return "<div class=\"legend\">\(keys)</div>"
    }

    /// A round number at or above `x` for the top of the count axis (1, 2 or 5 × 10ⁿ, divisible by 4 steps).
    static func niceMax(_ x: Double) -> Double {
        guard x.isFinite, x > 0 else { return 4 }
        var magnitude = 1.0
        while magnitude * 10 <= x { magnitude *= 10 }
        for m in [1.0, 2.0, 4.0, 5.0, 8.0, 10.0] where m * magnitude >= x { return max(4, m * magnitude) }
        return max(4, 10 * magnitude)
    }
}
