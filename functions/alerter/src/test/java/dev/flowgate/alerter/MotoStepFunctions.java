package dev.flowgate.alerter;

import dev.flowgate.emulator.AwsEmulator;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.Tag;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * Runs real (small) executions in moto: moto only interprets a state machine definition when its
 * {@code stepfunctions.execute_state_machine} config is on (server mode: POST /moto-api/config); otherwise
 * every execution stays RUNNING with a canned history. Task states (Batch, Lambda) are not run by moto, so
 * a "failed Metaflow step" is modelled as a Fail state named like the step, with a Batch-shaped cause.
 */
public final class MotoStepFunctions {
    public static final String ROLE = "arn:aws:iam::123456789012:role/flowgate-sfn";

    private MotoStepFunctions() {
    }

    public static void enableExecution(AwsEmulator emulator) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(emulator.endpoint().toString().replaceAll("/+$", "") + "/moto-api/config"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"stepfunctions\":{\"execute_state_machine\":true}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("moto config refused: " + r.statusCode() + " " + r.body());
        }
    }

    /** A machine start (Pass) -> {@code step} (Fail with error and cause); returns its ARN. */
    public static String failingMachine(SfnClient sfn, String name, String step, String error, String cause, Map<String, String> tags) {
        String causeJson = com.fasterxml.jackson.databind.node.TextNode.valueOf(cause).toString();
        String definition = "{\"StartAt\":\"start\",\"States\":{\"start\":{\"Type\":\"Pass\",\"Next\":\"" + step + "\"},"
                + "\"" + step + "\":{\"Type\":\"Fail\",\"Error\":\"" + error + "\",\"Cause\":" + causeJson + "}}}";
        List<Tag> t = tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
        return sfn.createStateMachine(r -> r.name(name).definition(definition).roleArn(ROLE).tags(t)).stateMachineArn();
    }

    /** Starts an execution and waits (max 10 s) until it is no longer RUNNING; returns its ARN. */
    public static String runToEnd(SfnClient sfn, String machineArn, String executionName) throws InterruptedException {
        String arn = sfn.startExecution(r -> r.stateMachineArn(machineArn).name(executionName).input("{}")).executionArn();
        for (int i = 0; i < 100; i++) {
            if (sfn.describeExecution(r -> r.executionArn(arn)).status() != ExecutionStatus.RUNNING) {
                return arn;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("execution " + arn + " still RUNNING after 10 s");
    }
}
