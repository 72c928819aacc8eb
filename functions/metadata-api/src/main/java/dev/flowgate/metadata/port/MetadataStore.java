package dev.flowgate.metadata.port;

import dev.flowgate.metadata.domain.Artifact;
import dev.flowgate.metadata.domain.Flow;
import dev.flowgate.metadata.domain.GateTagging;
import dev.flowgate.metadata.domain.Heartbeat;
import dev.flowgate.metadata.domain.MetadataEntry;
import dev.flowgate.metadata.domain.NewRun;
import dev.flowgate.metadata.domain.NewTask;
import dev.flowgate.metadata.domain.Run;
import dev.flowgate.metadata.domain.Step;
import dev.flowgate.metadata.domain.Task;
import dev.flowgate.metadata.domain.TaskKey;
import dev.flowgate.model.naming.ObjectId;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where flows, runs, steps, tasks, artifacts and metadata live. Reads are strongly consistent (a create is
 * readable at once). Failures are {@link dev.flowgate.metadata.domain.MetadataException}s: 404 for a missing
 * parent, 409 for an existing object, 503 when the store is throttled.
 */
public interface MetadataStore {

    /** Creates the flow; 409 if it exists. */
    void createFlow(Flow flow);

    Optional<Flow> flow(String flowId);

    List<Flow> flows();

    /**
     * Allocates the next run number of the flow and stores the run (with its gate record, if any); 404 if no flow,
     * 409 if runId is taken.
     */
    Run createRun(NewRun run);

    /** Looks a run up by number, or by its registered string id. */
    Optional<Run> run(String flowId, ObjectId run);

    List<Run> runs(String flowId);

    /**
     * The number of a run given by number or registered string id, without reading the run itself (a number is
     * returned as given: callers whose next write is conditional on the item learn from it whether the run exists).
     */
    default Optional<Long> runNumber(String flowId, ObjectId run) {
        return run.isNumber() ? Optional.of(run.number()) : run(flowId, run).map(Run::number);
    }

    /** Sets the run heartbeat to {@code nowSeconds} unless it is newer than {@code staleBefore}. */
    Heartbeat heartbeatRun(String flowId, long runNumber, long nowSeconds, long staleBefore);

    /** Stores the step of an existing run; 409 if it exists. */
    void createStep(Step step);

    Optional<Step> step(String flowId, long runNumber, String stepName);

    List<Step> steps(String flowId, long runNumber);

    /** Allocates the next task number of the run and stores the task; 404 if no run/step, 409 if the name is taken. */
    Task createTask(NewTask task);

    /** Looks a task up by number, or by its registered string id. */
    Optional<Task> task(String flowId, long runNumber, String stepName, ObjectId task);

    List<Task> tasks(String flowId, long runNumber, String stepName);

    /** Sets the task (and run) heartbeat as {@link #heartbeatRun} does. */
    Heartbeat heartbeatTask(TaskKey task, long nowSeconds, long staleBefore);

    /**
     * Stores artifacts of existing tasks, in request order. Rows are immutable: a row whose task, attempt and name
     * exist already (stored before, or earlier in this list) is skipped. All or nothing: a row the store cannot
     * hold is refused (413, naming {@code [index].field}) before anything is written. Returns how many were new.
     */
    int putArtifacts(List<Artifact> artifacts);

    /** All artifacts of a task, every attempt. */
    List<Artifact> artifacts(TaskKey task);

    /** All artifacts of a run, or of one step when {@code stepName} is not null. */
    List<Artifact> artifacts(String flowId, long runNumber, String stepName);

    /**
     * Appends metadata rows to an existing task, allocating their ids; all or nothing (a row the store cannot hold
     * is refused with 413 naming {@code [index].field}, before anything is written). Returns how many were written.
     */
    int addMetadata(TaskKey task, List<MetadataEntry> entries);

    /** All metadata rows of a task, newest first. */
    List<MetadataEntry> metadata(TaskKey task);

    /** All metadata rows of a run, or of one step when {@code stepName} is not null. */
    List<MetadataEntry> metadata(String flowId, long runNumber, String stepName);

    /** The metadata rows of one step with this field name (what {@code filtered_tasks} searches). */
    List<MetadataEntry> metadata(String flowId, long runNumber, String stepName, String fieldName);

    /**
     * Adds user tags atomically, whatever other writers do at the same time; returns the resulting user tags,
     * or empty if the run is gone. A non-null {@code gate} is stored in the same write unless the run already has
     * a gate record (the first one is never overwritten).
     */
    Optional<Set<String>> addRunTags(String flowId, long runNumber, Set<String> tags, GateTagging gate);

    /** Removes user tags atomically; returns the resulting user tags, or empty if the run is gone. */
    Optional<Set<String>> removeRunTags(String flowId, long runNumber, Set<String> tags);

    /**
     * Replaces the user tags if the run is still at {@code expectedVersion}; false when another write came
     * first (the caller re-reads and retries). {@code gate} as in {@link #addRunTags}.
     */
    boolean replaceRunTags(String flowId, long runNumber, Set<String> tags, long expectedVersion, GateTagging gate);
}
