package io.videomerge.http;

import io.videomerge.Limits;
import io.videomerge.MergeService;
import io.videomerge.store.memory.InMemoryJobStore;
import io.videomerge.upload.FileSystemUploader;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.net.URI;
import java.nio.file.Path;

/**
 * The web application that {@link RedeployTest} deploys again and again, as a user would write it: it builds a
 * {@link MergeService} when the context starts, registers a {@link MergeServlet} around it, and closes the
 * service when the context stops. It is declared in the web application's {@code web.xml} and loaded by the
 * web application's own class loader from {@code WEB-INF/classes}; the context parameters {@code work} and
 * {@code output} name its folders.
 */
public final class RedeployedWebApp implements ServletContextListener {
    private InMemoryJobStore store;
    private MergeService service;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        store = new InMemoryJobStore();
        service = MergeService.builder()
                .limits(Limits.defaults().toBuilder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(
                        Path.of(context.getInitParameter("output")), URI.create("http://files.invalid/merged/")))
                .workDirectory(Path.of(context.getInitParameter("work")))
                .jobStore(store)
                .mergeConcurrency(1)
                .build();
        ServletRegistration.Dynamic merge = context.addServlet("merge", new MergeServlet(service));
        merge.setAsyncSupported(true);
        merge.addMapping("/*");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        service.close();
        store.close();
    }
}
