/// Picks the route for a normalized path: the first in config order that matches.
struct Router: Sendable {
    let routes: [RouteConfiguration]

    /// The matching route, or `nil` for plain passthrough under the global authorization.
    func route(for path: Substring) -> RouteConfiguration? {
        self.routes.first { $0.path.matches(path: path) }
    }
}
