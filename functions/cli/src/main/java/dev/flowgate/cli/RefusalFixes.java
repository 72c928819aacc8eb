package dev.flowgate.cli;

import java.util.Map;
import java.util.Optional;

/** The fix to print after a deployer outcome that refused, in a data scientist's words. */
final class RefusalFixes {
    private static final Map<String, String> FIXES = Map.ofEntries(
            Map.entry("no_tagged_run", "tag the run you want deployed: python FLOW.py tag add --run-id ID prod_ready"),
            Map.entry("no_code_package", "run the flow again with the S3 datastore and code upload"
                    + " (locally: eval \"$(scripts/flowgate env)\" sets both), then tag that run prod_ready"),
            Map.entry("mismatch", "commit exactly the code of the tagged run, or run the flow from this commit and tag that"
                    + " run prod_ready"),
            Map.entry("not_configured", "list the repository in FLOWGATE_REPOSITORIES (owner/repo[:branch]) where the"
                    + " platform starts (locally: FLOWGATE_REPOSITORIES=owner/repo scripts/platform)"),
            Map.entry("invalid_manifest", "fix flowgate.yaml at the repository root as the message says"),
            Map.entry("compile_failed", "change the flow as the message says (file, line and step are named)"),
            Map.entry("graph_mismatch", "run the flow again from this commit and tag that run prod_ready"),
            Map.entry("commit_not_on_ref", "push the commit to the branch first (git push), then deploy it"),
            Map.entry("project_required", "add @project(name=...) to the flow to deploy it from a branch"),
            Map.entry("busy", "another deployment of this flow is running; try again when it ends"));

    private RefusalFixes() {
    }

    static Optional<String> forOutcome(String outcome) {
        return Optional.ofNullable(FIXES.get(outcome));
    }
}
