package dev.sluice.packaging;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The Cloudera Manager parcel format as Sluice produces and checks it: a gzipped tarball named
 * {@code <NAME>-<version>-<distro>.parcel} whose single top directory is {@code <NAME>-<version>/},
 * with {@code meta/parcel.json} (schema version 1) and the environment script it names in
 * {@code scripts.defines}; a repository is a directory of parcels plus {@code manifest.json}
 * carrying each parcel's SHA-1.
 */
public final class Parcels {

    /** The parcel's product name, upper case as Cloudera's are. */
    public static final String NAME = "SLUICE";
    /** What the parcel provides: Cloudera Manager adds the env script to Flume roles that consume this tag. */
    public static final String PROVIDES = "flume-plugin";
    public static final String ENV_SCRIPT = "sluice_env.sh";
    public static final String MANIFEST = "manifest.json";
    /** Distributions Sluice builds parcels for (the jars are platform-independent: one content, three names). */
    public static final List<String> DISTROS = List.of("el7", "el8", "el9");
    /** Distribution suffixes Cloudera Manager knows; a parcel named otherwise is never offered. */
    static final List<String> KNOWN_DISTROS = List.of("el6", "el7", "el8", "el9", "sles11", "sles12", "sles15",
            "precise", "trusty", "xenial", "bionic", "focal", "jammy", "noble", "wheezy", "jessie", "stretch", "buster", "bullseye");

    /** {@code NAME-version-distro.parcel}: the version may itself hold hyphens, the distro may not. */
    static final Pattern FILE_NAME = Pattern.compile("^([A-Za-z0-9_]+)-(.+)-([a-z0-9]+)\\.parcel$");

    private Parcels() {
    }

    public static String fileName(String version, String distro) {
        return NAME + "-" + version + "-" + distro + ".parcel";
    }

    public static String topDirectory(String version) {
        return NAME + "-" + version;
    }

    /**
     * The environment script Cloudera Manager sources before starting a Flume role: it appends the
     * parcel's jars to {@code FLUME_CLASSPATH}, as Cloudera's own parcels do for their plugins.
     */
    static String envScript(String version) {
        return """
                #!/bin/bash
                # Sourced by Cloudera Manager before it starts a Flume agent (parcel.json scripts.defines).
                # PARCELS_ROOT and PARCEL_DIRNAME are set by the agent; outside CM set them yourself.
                SLUICE_DIRNAME=${PARCEL_DIRNAME:-"%s"}
                SLUICE_LIB="${PARCELS_ROOT:-/opt/cloudera/parcels}/${SLUICE_DIRNAME}/lib/*"
                if [ -n "${FLUME_CLASSPATH}" ]; then
                  export FLUME_CLASSPATH="${FLUME_CLASSPATH}:${SLUICE_LIB}"
                else
                  export FLUME_CLASSPATH="${SLUICE_LIB}"
                fi
                """.formatted(topDirectory(version));
    }
}
