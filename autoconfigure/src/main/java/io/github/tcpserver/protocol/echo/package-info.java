/**
 * The echo protocol (RFC 862), a ready {@link io.github.tcpserver.core.ConnectionHandler}.
 */
package io.github.tcpserver.protocol.echo;
