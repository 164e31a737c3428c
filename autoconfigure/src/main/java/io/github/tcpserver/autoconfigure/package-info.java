/**
 * Spring Boot auto-configuration of the TCP server: {@code tcp.server.*} properties, the
 * {@code SelectorServer} bean and start-up failure analysis.
 */
package io.github.tcpserver.autoconfigure;
