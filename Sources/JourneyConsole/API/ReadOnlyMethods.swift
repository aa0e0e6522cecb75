import HTTPTypes
import Hummingbird

/// Answers 405 (with `Allow: GET, HEAD`) to any other method on the
/// read-only API paths, instead of "not found": the path exists, the method
/// does not.
struct ReadOnlyMethods<Context: RequestContext>: RouterMiddleware {
    /// The path prefixes that only read.
    static var prefixes: [String] { ["/v1/api/", "/v1/customers/", "/v1/live", "/metrics"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method != .get, request.method != .head, Self.prefixes.contains(where: { path.hasPrefix($0) }) else {
            return try await next(request, context)
        }
        var headers = ConsoleServer.securityHeaders(contentType: "application/json; charset=utf-8")
        headers[.allow] = "GET, HEAD"
        return Response(status: .methodNotAllowed, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"code":"console.method","message":"only GET and HEAD are answered here"}}"# + "\n")))
    }
}
