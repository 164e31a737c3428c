/**
 * Actuator support for the TCP server: the {@code tcpserver} endpoint, the {@code tcpServer}
 * health indicator and the Micrometer meters. Wired by the auto-configurations in
 * {@code io.github.tcpserver.autoconfigure}.
 */
package io.github.tcpserver.actuate;
