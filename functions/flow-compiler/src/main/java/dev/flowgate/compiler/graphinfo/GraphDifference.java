package dev.flowgate.compiler.graphinfo;

/**
 * One way the compiled flow differs from what the verified run executed.
 *
 * @param step      the step, empty for the flow itself (flow decorators, parameters)
 * @param decorator the decorator's name without {@code @}, empty for the graph's shape and parameters
 * @param attribute the decorator attribute or graph field ({@code next}, {@code type}, ...), empty when the whole
 *                  decorator or step is missing on one side
 * @param runValue  what the run recorded, as Python-like text ({@code "absent"} when it had none)
 * @param compiled  what the compiled flow has, same form
 * @param fix       what to do about it
 */
public record GraphDifference(String step, String decorator, String attribute, String runValue, String compiled,
                              String fix) {

    /** One line, e.g. {@code step 'train': @resources(memory): the run had 16384, the compiled flow has 8192}. */
    public String describe() {
        StringBuilder out = new StringBuilder(step.isEmpty() ? "flow" : "step '" + step + "'");
        if (!decorator.isEmpty()) {
            out.append(": @").append(decorator);
            if (!attribute.isEmpty()) {
                out.append("(").append(attribute).append(")");
            }
        } else if (!attribute.isEmpty()) {
            out.append(": ").append(attribute);
        }
        return out.append(": the run had ").append(runValue).append(", the compiled flow has ").append(compiled)
                .append(fix.isEmpty() ? "" : " (fix: " + fix + ")").toString();
    }
}
