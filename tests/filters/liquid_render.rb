# Renders each page given on the command line with Liquid 5.4 alone (no
# Jekyll filters): its front matter as the variables, the rest as the
# template. Prints one JSON object, page path to output.
require 'json'
require 'liquid'
require 'yaml'
require 'date'

out = {}
ARGV.each do |path|
  text = File.read(path, encoding: 'UTF-8')
  data = {}
  if text.start_with?("---\n") && (stop = text.index("\n---\n", 4))
    data = YAML.safe_load(text[4...stop], permitted_classes: [Date, Time]) || {}
    text = text[(stop + 5)..]
  end
  begin
    out[path] = Liquid::Template.parse(text).render(data)
  rescue StandardError => e
    out[path] = "Ruby raised: #{e.message}"
  end
end
puts JSON.generate(out)
