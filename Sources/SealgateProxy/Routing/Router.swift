/// Picks the route for a normalized path: the first in config order that matches.
struct Router: Sendable {
    let routes: [RouteConfiguration]

    /// The matching route, or `nil` for plain passthrough under the global authorization.
    func route(for path: Substring) -> RouteConfiguration? {
        // By index: `first(where:)` would copy every route it tries (a retain and a release of each of its fields).
        for index in self.routes.indices where self.routes[index].path.matches(path: path) {
            return self.routes[index]
        }
        return nil
    }
}
