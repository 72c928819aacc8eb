package dev.flowgate.cli;

import dev.flowgate.aws.Environment;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.net.ConnectException;
import java.util.Locale;

/** One line for an SDK, HTTP or setting failure: what went wrong and the fix. */
final class CliErrors {
    private CliErrors() {
    }

    static String explain(RuntimeException e, Environment env) {
        String message = PushCommand.firstLine(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (e instanceof Environment.MissingSettingException) {
            return message + " (locally: eval \"$(scripts/flowgate env)\"; on AWS: the settings of your team's Flowgate)";
        }
        if (e instanceof ResourceNotFoundException) {
            return message + " — check the function name and AWS_REGION of your team's Flowgate";
        }
        if (e instanceof SdkClientException && (causedBy(e, ConnectException.class) || lower.contains("connect"))) {
            String where = env.get("FLOWGATE_LOCAL_URL").or(() -> env.get("AWS_ENDPOINT_URL")).orElse("AWS");
            return "cannot connect to " + where + " (" + message + ")" + (env.get("FLOWGATE_LOCAL_URL").isPresent()
                    ? ": start the platform with scripts/platform, then eval \"$(scripts/flowgate env)\" in this shell"
                    : ": check your network and AWS_REGION");
        }
        if (lower.contains("unable to load region") || lower.contains("region")) {
            return message + " — set AWS_REGION and AWS_DEFAULT_REGION (locally: eval \"$(scripts/flowgate env)\")";
        }
        if (lower.contains("credentials")) {
            return message + " — configure AWS credentials (aws configure, AWS_PROFILE), or locally eval \"$(scripts/flowgate env)\"";
        }
        if (e instanceof SdkException) {
            return e.getClass().getSimpleName() + ": " + message;
        }
        return e.getClass().getSimpleName() + ": " + message + " (run again with --debug for details)";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
