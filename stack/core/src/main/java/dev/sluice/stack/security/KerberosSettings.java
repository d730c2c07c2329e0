package dev.sluice.stack.security;

import java.nio.file.Path;

/**
 * Kerberos for the local stack's Kafka broker: GSSAPI is enabled next to SCRAM on the secured
 * listener when these are given. The KDC is the user's (or a test's); the stack only points the
 * broker at it.
 *
 * @param krb5Conf the {@code krb5.conf} naming the realm and its KDC
 * @param keytab the broker's keytab
 * @param principal the broker's principal, {@code kafka/localhost@REALM}: clients ask for service
 *     {@code kafka} on the host they connect to
 */
public record KerberosSettings(Path krb5Conf, Path keytab, String principal) {

    /** The service name clients put in {@code sasl.kerberos.service.name}. */
    public String serviceName() {
        return principal.substring(0, principal.indexOf('/'));
    }
}
