import JourneyModel
import JourneyProjections
@testable import JourneyCLI
import XCTest

/// Every number of a table column shares one format, with the decimals its values carry.
final class TableFormatTests: XCTestCase {
    func testAColumnSharesTheDecimalsItsValuesCarry() {
        let r = QueryResult(columns: ["agent", "z", "rate", "nps", "aht", "handled"], rows: [
            [.string("a"), .number("-5.6"), .number("0.578"), .number("9.59"), .number("422.2"), .integer(12)],
            [.string("b"), .integer(-5), .integer(1), .number("8.3"), .number("1234.5"), .integer(7)],
            [.string("c"), .number("22.7"), .null, .integer(-3), .integer(400), .integer(0)],
        ], positions: [:], horizon: Timestamp(ms: 0))
        let formats = Output.columnFormats(r)
        XCTAssertEqual(formats, [nil, "%.1f", "%.3f", "%.2f", "%.1f", nil])
        func shown(_ column: Int) -> [String] {
            r.rows.compactMap { row in row[column].doubleValue.map { String(format: formats[column] ?? "%g", $0) } }
        }
        XCTAssertEqual(shown(1), ["-5.6", "-5.0", "22.7"], "z: one decimal, not 2.700 beside -5")
        XCTAssertEqual(shown(2), ["0.578", "1.000"])
        XCTAssertEqual(shown(3), ["9.59", "8.30", "-3.00"])
    }
}
