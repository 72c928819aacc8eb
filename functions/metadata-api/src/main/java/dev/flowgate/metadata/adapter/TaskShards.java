package dev.flowgate.metadata.adapter;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Where a run's task-level items live (key layout {@value #LAYOUT_VERSION}): a task, its string-id alias, its
 * artifacts and metadata rows share one of {@value #COUNT} shard partitions {@code RUN#<flow>#<run>#<shard>}, so
 * a 10,000-task foreach spreads its heartbeats and writes over {@value #COUNT} partition keys instead of one
 * (the capacity math is in the module README). The shard of a task follows from its number ({@code number mod
 * COUNT}) and, for a task registered under a string id, from that id ({@code CRC-32 of its UTF-8 mod COUNT}): a
 * named task's number is allocated from its shard's own counter so that both agree, and every lookup needs one
 * partition only. Lists of a step or run query every shard in parallel and merge by sort key, which gives the
 * order a single partition gave.
 */
final class TaskShards {
    /**
     * Version of the key layout this adapter writes and reads, stored on each run item as {@code layout}.
     * 1: every item of a run under {@code RUN#<flow>#<run>}. 2: task-level items sharded, steps in the run
     * partition. (No data in layout 1 is kept: there was none in production.)
     */
    static final int LAYOUT_VERSION = 2;
    /** Shard partitions per run. Part of the layout: changing it needs a new {@link #LAYOUT_VERSION}. */
    static final int COUNT = 32;
    /**
     * Numbers of string-named tasks start here, above anything the run's own counter (numbered tasks) reaches,
     * so the two never collide; divisible by {@link #COUNT}, so {@code number mod COUNT} stays the shard.
     */
    static final long NAMED_BASE = 1_000_000_000_000L;
    /** Sort key of a shard's counter item (the task numbers of named tasks in this shard). */
    static final String COUNTER_SK = "TASKSEQ";

    private TaskShards() {
    }

    static int ofNumber(long taskNumber) {
        return (int) Math.floorMod(taskNumber, (long) COUNT);
    }

    static int ofName(String taskName) {
        CRC32 crc = new CRC32();
        crc.update(taskName.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % COUNT);
    }

    /** The number of the {@code sequence}-th named task (1, 2, …) of a shard. */
    static long namedNumber(int shard, long sequence) {
        return NAMED_BASE + sequence * COUNT + shard;
    }

    static String pk(String flowId, long runNumber, int shard) {
        return DynamoDbMetadataStore.runPk(flowId, runNumber) + "#" + String.format("%02d", shard);
    }

    static String pkOfTask(String flowId, long runNumber, long taskNumber) {
        return pk(flowId, runNumber, ofNumber(taskNumber));
    }
}
