@testable import JourneyCLI
import JourneyIngest
import JourneyInsights
import JourneyLog
import JourneyModel
import JourneyNode
import JourneyProjections
import JourneySimulation
import JourneyStaffing
import JourneySync
import XCTest

/// The exit status of a failure follows from its error's kind, in one place,
/// whichever module raised it.
final class ExitStatusTests: XCTestCase {
    func testEveryKindHasItsDocumentedStatus() {
        let expected: [FailureKind: Int32] = [.badInput: 3, .damaged: 4, .noStore: 5, .failure: 1]
        for kind in FailureKind.allCases { XCTAssertEqual(ExitStatus.status(of: kind), expected[kind], "\(kind)") }
    }

    func testEveryModulesErrorsMapThroughTheirKind() {
        let cases: [(any CodedError, Int32, String)] = [
            (ModelError(.invalidField, "x"), 3, "model.invalid-field"),
            (LogError(.corrupt, "x"), 4, "log.corrupt"),
            (LogError(.notAStore, "x"), 5, "log.not-a-store"),
            (LogError(.io, "x"), 1, "log.io"),
            (IngestError(.timeOrder, "x"), 3, "ingest.time-order"),
            (ProjectionError(.config, "x"), 3, "projection.config"),
            (ProjectionError(.malformedRecord, "x"), 4, "projection.malformed-record"),
            (SyncError(.rejected, "x"), 4, "sync.rejected"),
            (SyncError(.transport, "x"), 1, "sync.transport"),
            (StaffingError(.infeasible, "x"), 3, "staffing.infeasible"),
            (InsightsError("x"), 3, "insights.invalid-option"),
            (SimulationError("x"), 3, "simulation.invalid-scenario"),
            (NodeError(.refused, "x"), 3, "node.refused"),
            (NodeError(.unwritable, "x"), 3, "node.unwritable"),
            (NodeError(.io, "x"), 1, "node.io"),
        ]
        for (error, status, code) in cases {
            XCTAssertEqual(ExitStatus.status(of: error.kind), status, code)
            XCTAssertEqual(error.qualifiedCode, code)
        }
    }
}
