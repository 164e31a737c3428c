/**
 * The server's place in a Spring application: the {@link io.github.tcpserver.context.SocketHandler}
 * stereotype, the lifecycle that starts and stops the server, and its events.
 */
package io.github.tcpserver.context;
