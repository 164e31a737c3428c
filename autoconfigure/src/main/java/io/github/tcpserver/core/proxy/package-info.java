/**
 * The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2): a pure header decoder, the
 * header it yields and the address ranges of trusted balancers. No sockets, no Spring.
 */
package io.github.tcpserver.core.proxy;
