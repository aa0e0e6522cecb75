import HTTPTypes
import Hummingbird
import JourneyModel

/// Errors of the web console and its API. Each code has one HTTP status
/// (``status``), derived here and nowhere else; the body says what to do.
public struct ConsoleError: CodedMessageError, HTTPResponseError {
    /// Stable codes of console failures.
    public enum Code: String, Sendable {
        /// No valid token or session: sign in at /login, or send `Authorization: Bearer TOKEN`.
        case unauthorized
        /// Signed in, but the role (or the sites) does not allow it.
        case forbidden
        /// A request value that is not valid (a filter, a day, a form field).
        case invalid
        /// Nothing at this path, or no such customer, contact or site.
        case notFound = "not-found"
        /// A state-changing request without the form's CSRF token.
        case csrf
        /// The node cannot answer now (its projection or store failed).
        case unavailable
    }
    public static var domain: String { "console" }
    /// Refused requests are bad input; an unavailable node is a failure.
    public var kind: FailureKind { code == .unavailable ? .failure : .badInput }
    /// What failed.
    public var code: Code
    /// What failed and what to do.
    public var message: String
    /// An error of `code`, with what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status of each code.
    public var status: HTTPResponse.Status {
        switch code {
        case .unauthorized: return .unauthorized
        case .forbidden, .csrf: return .forbidden
        case .invalid: return .badRequest
        case .notFound: return .notFound
        case .unavailable: return .serviceUnavailable
        }
    }

    /// `{"error": {"code": "console.forbidden", "message": "…"}}` with the code's status.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [UInt8] = []
        JSONWriter.write(.object(["error": .object(["code": .string(qualifiedCode), "message": .string(message)])]), into: &body)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if code == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"journey\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
