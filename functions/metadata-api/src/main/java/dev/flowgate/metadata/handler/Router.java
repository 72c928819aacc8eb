package dev.flowgate.metadata.handler;

import dev.flowgate.metadata.domain.Caller;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A table of routes: {@code METHOD /literal/{param}/...}. A path no route matches is a 404; a path some
 * route matches under another method is a 405 (with the allowed methods).
 */
public final class Router {
    private final List<Route> routes = new ArrayList<>();

    /** What a route does with a matched request. */
    @FunctionalInterface
    public interface Action {
        Reply handle(Call call);
    }

    /**
     * A matched request: path parameters by name, query parameters, body text (may be null), and the caller the
     * front door established.
     */
    public record Call(Map<String, String> params, Map<String, String> query, String body, Caller caller) {
        public Call(Map<String, String> params, Map<String, String> query, String body) {
            this(params, query, body, Caller.UNKNOWN);
        }

        public String param(String name) {
            return params.get(name);
        }

        public String query(String name) {
            return query == null ? null : query.get(name);
        }
    }

    /** A response: status, a value to write as JSON (a {@link Raw} is written as it is), extra headers. */
    public record Reply(int status, Object body, Map<String, String> headers) {
        public Reply(int status, Object body) {
            this(status, body, Map.of());
        }

        public static Reply ok(Object body) {
            return new Reply(200, body);
        }
    }

    /** Text that is not JSON-encoded (e.g. {@code pong}). */
    public record Raw(String text) {
    }

    /** The outcome of routing: a matched route with its parameters, or 404/405. */
    public record Match(Route route, Map<String, String> params, Set<String> allowed) {
        public boolean found() {
            return route != null;
        }
    }

    public record Route(String method, String template, List<String> segments, Action action) {
    }

    public Router add(String method, String template, Action action) {
        routes.add(new Route(method, template, split(template), action));
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public Match match(String method, String path) {
        List<String> segments = split(path == null ? "/" : path);
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> params = bind(route.segments(), segments);
            if (params.isEmpty()) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match(route, params.get(), Set.of());
            }
            allowed.add(route.method());
        }
        return new Match(null, Map.of(), allowed);
    }

    private static Optional<Map<String, String>> bind(List<String> template, List<String> path) {
        if (template.size() != path.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String p = path.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (p.isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), p);
            } else if (!t.equals(p)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    private static List<String> split(String path) {
        String trimmed = path;
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("/", -1));
    }
}
