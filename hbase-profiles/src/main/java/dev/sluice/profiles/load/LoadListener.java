package dev.sluice.profiles.load;

/** Progress of a load, for a progress bar. Called on the loading thread every few thousand lines. */
@FunctionalInterface
public interface LoadListener {

    LoadListener NONE = (bytesRead, totalBytes, loaded, rejected) -> {
    };

    void progress(long bytesRead, long totalBytes, long loaded, long rejected);
}
