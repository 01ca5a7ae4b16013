// Renders a part of a model card on the server. react-markdown builds React elements (no
// dangerouslySetInnerHTML): raw HTML in the markdown is not rendered and unsafe link protocols are
// dropped. The cards' images are SVG files next to the weights, which this page does not serve;
// their curves are drawn from train-log.json above, so an image becomes a short note instead of a
// broken request.
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

const components: Components = {
  img: ({ alt }) => <span className="card-figure-note">[figure “{alt}”: see the charts drawn from train-log.json]</span>,
  a: ({ href, children }) =>
    href && /^https?:\/\//.test(href) ? (
      <a href={href} rel="noreferrer noopener">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
};

export function CardMarkdown({ markdown }: { markdown: string }) {
  return (
    <div className="card-md">
      <Markdown remarkPlugins={[remarkGfm]} components={components} skipHtml>
        {markdown}
      </Markdown>
    </div>
  );
}
