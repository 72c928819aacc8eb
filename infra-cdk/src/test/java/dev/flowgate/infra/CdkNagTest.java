package dev.flowgate.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.s3.Bucket;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * cdk-nag's AwsSolutions pack over the whole app (one synthesis): zero unsuppressed errors or warnings.
 * Every suppression lives in {@link NagRules} with its written reason.
 */
class CdkNagTest {
    static List<Stack> stacks;
    static CloudAssembly assembly;

    @BeforeAll
    static void synthesizeWithNag() throws Exception {
        String json = Files.readString(Path.of("teams/example.json"))
                .replaceAll("functions/[a-z-]+/target/[a-z-]+-lambda\\.jar", "placeholder-asset");
        App app = new App();
        FlowgateApp.Stacks built = FlowgateApp.build(app, TeamSettings.parse(json), Path.of("src/test/resources"));
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().build());
        assembly = app.synth();
        stacks = built.all();
    }

    @Test
    void awsSolutions_hasNoUnsuppressedErrors() {
        assertThat(findings(true)).isEmpty();
    }

    @Test
    void awsSolutions_hasNoUnsuppressedWarnings() {
        assertThat(findings(false)).isEmpty();
    }

    @Test
    void theAppsOwnGuard_seesNoFindingsInTheAssembly() {
        assertThat(FlowgateApp.nagFindings(assembly)).isEmpty();
    }

    @Test
    void everySuppressionCarriesAReason() {
        String all = assembly.getStacks().stream().map(s -> s.getTemplate().toString()).reduce("", String::concat);
        assertThat(all).contains("cdk_nag");
        assertThat(NagRules.reasons()).isNotEmpty().allSatisfy(r -> assertThat(r.length()).isGreaterThanOrEqualTo(10));
    }

    @Test
    void theCheckHarnessReportsAFindingOnAnInsecureBucket() {
        App app = new App();
        Stack stack = new Stack(app, "Insecure");
        Bucket.Builder.create(stack, "Plain").build();
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().build());
        CloudAssembly insecure = app.synth();
        assertThat(Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-S10.*"))).isNotEmpty();
        assertThat(FlowgateApp.nagFindings(insecure)).anySatisfy(f -> assertThat(f).contains("AwsSolutions-S10"));
    }

    private static List<String> findings(boolean errors) {
        List<String> out = new ArrayList<>();
        for (Stack stack : stacks) {
            Annotations a = Annotations.fromStack(stack);
            var found = errors ? a.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                    : a.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
            found.forEach(m -> out.add(stack.getStackName() + " " + m.getId() + ": " + String.valueOf(m.getEntry().getData()).split(": ")[0]));
        }
        return out;
    }
}
