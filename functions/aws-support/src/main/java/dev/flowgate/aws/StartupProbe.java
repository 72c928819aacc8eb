package dev.flowgate.aws;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code scripts/bench-startup} runs inside one function's own jar, in a fresh JVM: builds the handler as the
 * Lambda runtime does (no-argument constructor), optionally runs its SnapStart priming (what the snapshot would
 * hold), sends one event and prints one line of JSON — milliseconds from JVM start to the handler's class being
 * loaded, handler built, priming done and first response. Not part of any function's behaviour.
 *
 * <p>usage: {@code java -cp <function>-lambda.jar dev.flowgate.aws.StartupProbe <handler class> <event.json> [--prime]}
 */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args[0].startsWith("-")) {
            System.err.println("usage: StartupProbe <handler class> <event.json> [--prime]");
            System.exit(2);
        }
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainAt = System.currentTimeMillis();
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        boolean prime = args.length > 2 && args[2].equals("--prime");
        Class<?> type = Class.forName(args[0]);
        Object handler = type.getDeclaredConstructor().newInstance();
        long builtAt = System.currentTimeMillis();
        if (prime) {
            Priming priming = (Priming) type.getMethod("priming").invoke(handler);
            priming.primeNow();
        }
        long primedAt = System.currentTimeMillis();
        String answer = invoke(handler, event);
        long answeredAt = System.currentTimeMillis();
        System.out.println(String.format(Locale.ROOT, "{\"handler\": \"%s\", \"primed\": %s, \"main_ms\": %d, \"built_ms\": %d,"
                        + " \"primed_ms\": %d, \"first_response_ms\": %d, \"invoke_ms\": %d, \"answer\": \"%s\"}",
                type.getSimpleName(), prime, mainAt - jvmStart, builtAt - jvmStart, primedAt - jvmStart,
                answeredAt - jvmStart, answeredAt - primedAt, shortAnswer(answer)));
        System.exit(0);
    }

    private static String shortAnswer(String answer) {
        String plain = answer.replaceAll("[^A-Za-z0-9 _:,./{}-]", "");
        return plain.substring(0, Math.min(60, plain.length()));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String invoke(Object handler, byte[] event) throws Exception {
        if (handler instanceof RequestStreamHandler stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stream.handleRequest(new ByteArrayInputStream(event), out, new ProbeContext());
            return out.toString();
        }
        Class<?> input = Object.class;
        for (Method m : handler.getClass().getMethods()) {
            if (m.getName().equals("handleRequest") && m.getParameterCount() == 2 && m.getParameterTypes()[0] != Object.class) {
                input = m.getParameterTypes()[0];
            }
        }
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        Object result = ((RequestHandler) handler).handleRequest(mapper.readValue(event, input), new ProbeContext());
        return String.valueOf(result);
    }

    private static final class ProbeContext implements Context {
        public String getAwsRequestId() { return "startup-probe"; }
        public String getLogGroupName() { return "startup-probe"; }
        public String getLogStreamName() { return "startup-probe"; }
        public String getFunctionName() { return "startup-probe"; }
        public String getFunctionVersion() { return "1"; }
        public String getInvokedFunctionArn() { return "arn:aws:lambda:local:000000000000:function:startup-probe:live"; }
        public CognitoIdentity getIdentity() { return null; }
        public ClientContext getClientContext() { return null; }
        public int getRemainingTimeInMillis() { return 60_000; }
        public int getMemoryLimitInMB() { return 1024; }
        public LambdaLogger getLogger() { return null; }
    }
}
