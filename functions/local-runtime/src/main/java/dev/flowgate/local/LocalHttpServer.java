package dev.flowgate.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flowgate.model.json.FlowgateJson;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP in front of the local functions, doing what API Gateway and the Lambda service do in AWS:
 * <ul>
 *   <li>{@code POST /2015-03-31/functions/{name}/invocations}: the Lambda Invoke API (RequestResponse, Event
 *       and DryRun invocation types; function errors as {@code X-Amz-Function-Error}), so
 *       {@code aws lambda invoke --endpoint-url} and the SDK's LambdaClient work against it;</li>
 *   <li>{@code GET /healthz}: the runtime's own state;</li>
 *   <li>everything else: the mount with the longest matching prefix, as an API Gateway REST proxy event.</li>
 * </ul>
 */
public final class LocalHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalHttpServer.class);
    static final Pattern INVOKE_PATH = Pattern.compile("^/2015-03-31/functions/([^/]+)/invocations/?$");
    private static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
    private static final long FUNCTION_TIMEOUT_MS = 900_000;

    private final HttpServer server;
    private final LocalApiKeys apiKeys;
    private volatile LocalFunctions functions;
    private volatile Supplier<Map<String, Object>> health;
    private final ExecutorService asyncInvocations = Executors.newFixedThreadPool(2, daemon("local-async"));

    private LocalHttpServer(HttpServer server, LocalApiKeys apiKeys) {
        this.server = server;
        this.apiKeys = apiKeys;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 = any free port) without serving yet; fails with {@link PortInUseException}
     * before anything else is started when the port is taken.
     */
    public static LocalHttpServer bind(int port, String apiKey) {
        return bind(port, LocalApiKeys.parse(null, apiKey));
    }

    /** As {@link #bind(int, String)}, with named keys (the caller identity the metadata API records). */
    public static LocalHttpServer bind(int port, LocalApiKeys apiKey) {
        // The JDK server leaves Nagle's algorithm on unless told otherwise; with the client's delayed ACKs every
        // small response then waits ~40 ms. Read once, when the server classes load: set it before creating one.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
            server.setExecutor(Executors.newFixedThreadPool(Math.max(8, Runtime.getRuntime().availableProcessors() * 4),
                    daemon("local-http")));
            LocalHttpServer local = new LocalHttpServer(server, apiKey);
            server.createContext("/", local::handle);
            return local;
        } catch (BindException e) {
            throw new PortInUseException(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** Starts serving {@code functions}; {@code health} is the body of {@code GET /healthz}. */
    public void start(LocalFunctions functions, Supplier<Map<String, Object>> health) {
        this.functions = functions;
        this.health = health;
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        asyncInvocations.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            Matcher invoke = INVOKE_PATH.matcher(path);
            if (invoke.matches()) {
                handleInvoke(exchange, URLDecoder.decode(invoke.group(1), StandardCharsets.UTF_8));
            } else if (path.equals("/healthz")) {
                send(exchange, 200, Map.of("Content-Type", "application/json"),
                        FlowgateJson.write(health.get()).getBytes(StandardCharsets.UTF_8));
            } else {
                handleProxy(exchange, path);
            }
        } catch (BodyTooLargeException e) {
            sendJson(exchange, 413, Map.of("message", "request body is larger than " + MAX_BODY_BYTES + " bytes"));
        } catch (RuntimeException e) {
            LOG.error("unexpected error on {}: {}", exchange.getRequestURI(), e.toString());
            sendJson(exchange, 500, Map.of("message", "local runtime error: " + e.getMessage()));
        }
    }

    private void handleInvoke(HttpExchange exchange, String functionRef) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            sendJson(exchange, 405, Map.of("message", "Invoke takes POST"));
            return;
        }
        String name = functionName(functionRef);
        LocalFunction function = functions.function(name).orElse(null);
        if (function == null) {
            Map<String, String> headers = Map.of("Content-Type", "application/json", "x-amzn-ErrorType", "ResourceNotFoundException");
            send(exchange, 404, headers, FlowgateJson.write(Map.of("Type", "User", "message",
                    "Function not found: " + name + " (local functions: " + functions.names() + ")")).getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] payload = readBody(exchange);
        if (payload.length == 0) {
            payload = "{}".getBytes(StandardCharsets.UTF_8);
        }
        String requestId = UUID.randomUUID().toString();
        String type = firstHeader(exchange.getRequestHeaders(), "X-Amz-Invocation-Type", "RequestResponse");
        switch (type) {
            case "DryRun" -> send(exchange, 204, Map.of("x-amzn-RequestId", requestId), new byte[0]);
            case "Event" -> {
                byte[] body = payload;
                asyncInvocations.submit(() -> {
                    try {
                        function.invoke(body, LocalContext.of(requestId, name, FUNCTION_TIMEOUT_MS));
                    } catch (Exception e) {
                        LOG.error("async invocation of {} failed: {}", name, e.toString());
                    }
                });
                send(exchange, 202, Map.of("x-amzn-RequestId", requestId), new byte[0]);
            }
            case "RequestResponse" -> {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Content-Type", "application/json");
                headers.put("x-amzn-RequestId", requestId);
                headers.put("X-Amz-Executed-Version", "$LATEST");
                byte[] result;
                try {
                    result = function.invoke(payload, LocalContext.of(requestId, name, FUNCTION_TIMEOUT_MS));
                } catch (Exception e) {
                    headers.put("X-Amz-Function-Error", "Unhandled");
                    result = FlowgateJson.write(Map.of("errorMessage", String.valueOf(e.getMessage()),
                            "errorType", e.getClass().getName(), "stackTrace", List.of())).getBytes(StandardCharsets.UTF_8);
                }
                send(exchange, 200, headers, result);
            }
            default -> sendJson(exchange, 400, Map.of("message",
                    "X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got " + type));
        }
    }

    private void handleProxy(HttpExchange exchange, String path) throws IOException {
        LocalFunctions.Mount mount = functions.mountFor(path).orElse(null);
        if (mount == null) {
            sendJson(exchange, 404, Map.of("message", "no function is mounted at " + path));
            return;
        }
        String keyName = null;
        if (mount.apiKeyProtected() && apiKeys.required()) {
            keyName = apiKeys.nameOf(exchange.getRequestHeaders().getFirst("x-api-key")).orElse(null);
            if (keyName == null) {
                sendJson(exchange, 403, Map.of("message", "Forbidden"));
                return;
            }
        }
        String requestId = UUID.randomUUID().toString();
        APIGatewayProxyRequestEvent event = toEvent(exchange, path, readBody(exchange), requestId);
        if (keyName != null) {
            // what a Lambda authorizer mapping keys to names would pass on
            event.getRequestContext().setAuthorizer(Map.of("principalId", keyName));
        }
        APIGatewayProxyResponseEvent response;
        try {
            response = mount.function().handle(event, LocalContext.of(requestId, mount.function().name(), FUNCTION_TIMEOUT_MS));
        } catch (RuntimeException e) {
            // API Gateway answers 502 when the integration fails; the stack trace stays in the log
            LOG.error("function {} failed on {}", mount.function().name(), path, e);
            sendJson(exchange, 502, Map.of("message", "Internal server error"));
            return;
        }
        if (response == null || response.getStatusCode() == null) {
            sendJson(exchange, 502, Map.of("message", "Malformed Lambda proxy response"));
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (response.getHeaders() != null) {
            headers.putAll(response.getHeaders());
        }
        Headers out = exchange.getResponseHeaders();
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, values) -> values.forEach(v -> out.add(k, v)));
        }
        headers.putIfAbsent("x-amzn-RequestId", requestId);
        String body = response.getBody() == null ? "" : response.getBody();
        byte[] bytes = Boolean.TRUE.equals(response.getIsBase64Encoded())
                ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        send(exchange, response.getStatusCode(), headers, bytes);
    }

    static APIGatewayProxyRequestEvent toEvent(HttpExchange exchange, String rawPath, byte[] body, String requestId) {
        String path = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, List<String>> multiHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) -> {
            headers.put(name, values.get(values.size() - 1));
            multiHeaders.put(name, List.copyOf(values));
        });
        Map<String, String> query = null;
        Map<String, List<String>> multiQuery = null;
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            query = new LinkedHashMap<>();
            multiQuery = new LinkedHashMap<>();
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(key, value);
                multiQuery.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        String text = utf8OrNull(body);
        APIGatewayProxyRequestEvent.RequestIdentity identity = new APIGatewayProxyRequestEvent.RequestIdentity()
                .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
                .withUserAgent(headers.get("User-Agent"));
        APIGatewayProxyRequestEvent.ProxyRequestContext context = new APIGatewayProxyRequestEvent.ProxyRequestContext()
                .withRequestId(requestId)
                .withStage("local")
                .withHttpMethod(exchange.getRequestMethod())
                .withPath(path)
                .withResourcePath("/{proxy+}")
                .withIdentity(identity)
                .withAccountId("000000000000");
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod(exchange.getRequestMethod())
                .withPath(path)
                .withResource("/{proxy+}")
                .withPathParameters(Map.of("proxy", path.startsWith("/") ? path.substring(1) : path))
                .withHeaders(headers)
                .withMultiValueHeaders(multiHeaders)
                .withQueryStringParameters(query)
                .withMultiValueQueryStringParameters(multiQuery)
                .withBody(body.length == 0 ? null : text != null ? text : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && text == null)
                .withRequestContext(context);
    }

    private static String utf8OrNull(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Accepts a bare name, {@code name:qualifier}, or a function ARN, as the Lambda API does. */
    static String functionName(String ref) {
        String name = ref;
        int functionMarker = name.indexOf(":function:");
        if (functionMarker >= 0) {
            name = name.substring(functionMarker + ":function:".length());
        }
        int qualifier = name.indexOf(':');
        return qualifier >= 0 ? name.substring(0, qualifier) : name;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new BodyTooLargeException();
            }
            return bytes;
        }
    }

    private static String firstHeader(Headers headers, String name, String fallback) {
        String value = headers.getFirst(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void sendJson(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        send(exchange, status, Map.of("Content-Type", "application/json"), FlowgateJson.write(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        boolean noBody = status == 204 || status == 304 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length == 0 ? -1 : body.length);
        if (!noBody && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + UUID.randomUUID().toString().substring(0, 4));
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The port is taken: the one line to show is the message. */
    public static final class PortInUseException extends RuntimeException {
        public PortInUseException(int port) {
            super("port " + port + " on 127.0.0.1 is already in use (is Flowgate already running?): stop that"
                    + " process or start on another port with FLOWGATE_PORT=<port>");
        }
    }

    private static final class BodyTooLargeException extends RuntimeException {
    }
}
