package dev.flowgate.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The functions a local runtime serves and the HTTP paths API Gateway would route to them. */
public final class LocalFunctions {
    private final Map<String, LocalFunction> byName = new LinkedHashMap<>();
    private final List<Mount> mounts = new ArrayList<>();

    /**
     * Serves an API Gateway proxy handler under {@code pathPrefix} (and over Invoke as {@code name}).
     * With {@code apiKeyProtected}, requests need {@code x-api-key} when FLOWGATE_API_KEY is set, as API
     * Gateway's usage plans demand in AWS.
     */
    public LocalFunctions http(String pathPrefix, String name,
                               RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler,
                               boolean apiKeyProtected) {
        if (!pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException("a mount path starts with '/': " + pathPrefix);
        }
        LocalFunction.ApiGateway function = new LocalFunction.ApiGateway(name, handler);
        add(function);
        mounts.add(new Mount(pathPrefix, function, apiKeyProtected));
        mounts.sort(Comparator.comparingInt((Mount m) -> m.pathPrefix().length()).reversed());
        return this;
    }

    /** Serves a stream handler through the Lambda Invoke API path only. */
    public LocalFunctions invokable(String name, RequestStreamHandler handler) {
        add(new LocalFunction.Stream(name, handler));
        return this;
    }

    public Optional<LocalFunction> function(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The mount with the longest prefix that contains {@code path}, on a path-segment boundary. */
    public Optional<Mount> mountFor(String path) {
        for (Mount mount : mounts) {
            String prefix = mount.pathPrefix();
            if (prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
                return Optional.of(mount);
            }
        }
        return Optional.empty();
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public List<Mount> mounts() {
        return List.copyOf(mounts);
    }

    private void add(LocalFunction function) {
        if (byName.putIfAbsent(function.name(), function) != null) {
            throw new IllegalArgumentException("function " + function.name() + " is registered twice");
        }
    }

    /** An HTTP path prefix routed to an API Gateway proxy function. */
    public record Mount(String pathPrefix, LocalFunction.ApiGateway function, boolean apiKeyProtected) {
    }
}
