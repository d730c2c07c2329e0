package dev.sluice.stack;

/**
 * A stack operation failed. The message is one line that names the cause and, where a service is
 * involved, the path of its log, so the CLI can print it as it is.
 */
public class StackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
