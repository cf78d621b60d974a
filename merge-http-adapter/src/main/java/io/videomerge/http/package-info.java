/**
 * The HTTP contract of videomerge as a Jakarta Servlet 6 servlet: {@link io.videomerge.http.MergeServlet}
 * speaks it on any container, around any {@link io.videomerge.MergeService}; {@link io.videomerge.http.Authenticator}
 * is the hook that decides who may call it; {@link io.videomerge.http.MergeContextListener} releases what videomerge
 * leaves in the JVM when its web application is undeployed, so that redeploying does not keep the old class loader.
 */
package io.videomerge.http;
