package dev.flowgate.deployer.domain;

import java.util.Locale;

/** What a code package member is, by Metaflow's layout (deploy contracts §1.4, §1.7); each class is verified its own way. */
public enum MemberClass {
    /** The flow directory's own files at the package root: byte-equal to git at the commit. */
    USER,
    /** {@code .mf_code/<module>/**} listed in {@code .mf_install} {@code module_files}: byte-equal to the module's directory in git. */
    MODULE,
    /** {@code .mf_code/metaflow/**} (v0: {@code metaflow/**}): equal to the pinned hashes of the trusted Metaflow wheel. */
    METAFLOW_LIBRARY,
    /** {@code .mf_code/metaflow_extensions/**}: refused unless a distribution is pinned for it. */
    METAFLOW_EXTENSION,
    /** {@code .mf_meta/<name>} (v0: INFO, CONFIG, decorator files at the root): data; CONFIG checked against git. */
    META,
    /** {@code .mf_install}: the v1 marker listing the module files. */
    MARKER,
    /** Anything the gate cannot account for: refused. */
    UNKNOWN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
