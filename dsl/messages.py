"""The message catalogue: every user-facing text, in Chinese and English.

Codes are stable (tests, editors and users' notes refer to them); texts may be
improved.  Groups: E01xx YAML files, E02xx rule-file schema, E03xx expression
syntax, E04xx names, E05xx types, E06xx dependencies, E07xx evaluation,
E08xx data, E09xx command line and files, E10xx rule tests, T00xx rule-test
failures.  Keys with a dot are labels and help lines belonging to the code
before the dot; the other dotted keys are words (``type.…``, ``kind.…``) and
the words of reports and tables, grouped by a prefix naming the report
(``explain.…``, ``dryrun.text.…``, ``table.…``, ``warn.…``, ``diff.…``).
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: dict[str, tuple[str, str]] = {
    # (Chinese, English)
    "text.bilingual": ("{zh}", "{en}"),
    "summary.errors": ("共发现 {count} 个错误。", "{count} error(s) found."),
    # -- YAML -------------------------------------------------------------
    "E0101": ("YAML 语法错误：{problem}", "YAML syntax error: {problem}"),
    "E0101.help": (
        "检查缩进、冒号后的空格和引号是否成对",
        "check the indentation, the space after each colon and that quotes are paired",
    ),
    "E0102": ("键 `{key}` 重复出现", "duplicate key `{key}`"),
    "E0102.first": ("第一次出现在这里", "first defined here"),
    "E0102.help": ("删除或合并重复的键", "remove or merge the duplicated key"),
    "E0103": (
        "文件过大（{size} 个字符，上限 {limit}）",
        "file too large ({size} characters, limit {limit})",
    ),
    "E0103.help": ("把规则拆分到多个文件中", "split the rules into several files"),
    "E0104": (
        "YAML 展开后节点过多（上限 {limit}），可能是别名（*）的层层引用",
        "YAML expands to too many nodes (limit {limit}), probably through nested aliases (*)",
    ),
    "E0104.help": (
        "不要用别名层层复制内容，直接写出需要的内容",
        "do not multiply content through aliases; write out what is needed",
    ),
    "E0105": ("一个文件只能有一个 YAML 文档", "a file may hold only one YAML document"),
    "E0106": ("嵌套层次过深（上限 {limit} 层）", "nesting too deep (limit {limit} levels)"),
    "E0107": ("不支持 YAML 标签 `{tag}`", "YAML tag `{tag}` is not supported"),
    "E0107.help": (
        "删除标签；取值的类型由规则文件的格式决定",
        "remove the tag; the rule-file schema decides what a value means",
    ),
    "E0108": ("映射的键必须是简单的文字", "mapping keys must be plain text"),
    "E0109": ("别名 `{anchor}` 引用了自身", "alias `{anchor}` refers to itself"),
    # -- schema -----------------------------------------------------------
    "E0201": ("未知的键 `{key}`", "unknown key `{key}`"),
    "E0201.help": ("可用的键：{allowed}", "allowed keys: {allowed}"),
    "E0201.didyoumean": ("是不是 `{suggestion}`？", "did you mean `{suggestion}`?"),
    "E0202": ("缺少必填的键 `{key}`", "missing required key `{key}`"),
    "E0203": ("取值无效：{problem}", "invalid value: {problem}"),
    "E0204": (
        "规则集目录中没有清单文件 `ruleset.yaml`",
        "the rule set has no manifest file `ruleset.yaml`",
    ),
    "E0204.help": (
        "在规则集目录中建立 ruleset.yaml，写明 scheme、version 和 year",
        "create ruleset.yaml in the rule set folder with scheme, version and year",
    ),
    "E0205": (
        "`{key}` 只能写在清单文件 ruleset.yaml 中",
        "`{key}` belongs in the manifest file ruleset.yaml only",
    ),
    "E0206": ("{kind} `{name}` 重复定义", "{kind} `{name}` is defined twice"),
    "E0206.first": ("第一次定义在这里", "first defined here"),
    "E0207": (
        "指标 `{id}` 必须且只能有一种计分方法（score、levels、machine 或 deduct），现在有 {count} 种",
        "indicator `{id}` needs exactly one scoring method "
        "(score, levels, machine or deduct); it has {count}",
    ),
    "E0208": (
        "`{name}` 不是有效的名称",
        "`{name}` is not a valid name",
    ),
    "E0208.help": (
        "名称以字母或汉字开头，只含字母、汉字、数字和下划线，不能是关键字",
        "a name starts with a letter or a Chinese character, holds only letters, "
        "Chinese characters, digits and underscores, and is not a keyword",
    ),
    "E0209": ("数值 `{text}` 无效", "`{text}` is not a valid number"),
    "E0209.help": (
        "写成 20、0.5 或 85% 这样的数",
        "write a number such as 20, 0.5 or 85%",
    ),
    # -- expression syntax --------------------------------------------------
    "E0301": ("公式语法错误：此处不应出现 `{token}`", "syntax error: unexpected `{token}`"),
    "E0301.expected": ("这里应为：{expected}", "expected here: {expected}"),
    "E0302": ("公式不完整：在结尾处中断", "incomplete formula: it ends too early"),
    "E0303": ("公式中有无法识别的字符 `{char}`", "unrecognised character `{char}` in formula"),
    "E0303.fullwidth": (
        "这是全角符号，请改用半角 `{ascii}`",
        "this is a full-width symbol; use the ASCII `{ascii}`",
    ),
    "E0303.equals": ("比较相等请用 `==`", "use `==` to compare for equality"),
    "E0304": ("公式过长（上限 {limit} 个字符）", "formula too long (limit {limit} characters)"),
    "E0305": ("公式嵌套过深（上限 {limit} 层）", "formula nested too deep (limit {limit} levels)"),
    "E0306": ("公式为空", "empty formula"),
    "E0307": (
        "比较链 `{ops}` 方向不一致",
        "comparison chain `{ops}` mixes directions",
    ),
    "E0307.help": (
        "范围写成 `60 <= x < 80` 这样同一方向的形式，或用 and 连接",
        "write a range in one direction, like `60 <= x < 80`, or join comparisons with and",
    ),
    # -- names --------------------------------------------------------------
    "E0401": ("未知的名称 `{name}`", "unknown name `{name}`"),
    "E0401.label": ("这里引用的名称没有定义", "not defined anywhere visible here"),
    "E0401.didyoumean": ("是不是 `{suggestion}`？", "did you mean `{suggestion}`?"),
    "E0401.help": (
        "在指标的 inputs 或 let 中声明它，或在规则集的 values 中定义它",
        "declare it in the indicator's inputs or let, or define it in the rule set's values",
    ),
    "E0401.input": (
        "在指标的 inputs 中声明这个输入字段",
        "declare this field in the indicator's inputs",
    ),
    "E0402": ("未知的函数 `{name}`", "unknown function `{name}`"),
    "E0402.help": ("可用的函数：{available}", "available functions: {available}"),
    "E0403": (
        "函数 `{name}` 需要 {expected} 个参数，这里给了 {given} 个",
        "function `{name}` takes {expected} argument(s), {given} given",
    ),
    "E0404": ("未知的等级取值 `{value}`（{enum}）", "unknown level `{value}` of `{enum}`"),
    "E0404.help": ("可选的取值：{members}", "possible values: {members}"),
    "E0405": ("未知的等级表 `{name}`", "unknown level enumeration `{name}`"),
    "E0406": ("未知的类型 `{name}`", "unknown type `{name}`"),
    "E0406.help": ("可用的类型：{available}", "available types: {available}"),
    "E0407": ("未知的取整方式 `{name}`", "unknown rounding mode `{name}`"),
    "E0407.help": ("可用的取整方式：{available}", "available rounding modes: {available}"),
    "E0408": (
        "输入字段 `{name}` 在两处声明的类型不同：{first} 与 {second}",
        "input `{name}` is declared with two different types: {first} and {second}",
    ),
    "E0409": ("`{name}` 不是集合，不能用于 {func}", "`{name}` is not a collection for {func}"),
    "E0410": (
        "局部名称 `{name}` 与规则集中的名称或内置名称重名",
        "local name `{name}` hides a rule-set or built-in name",
    ),
    "E0411": (
        "指标 `{name}` 可能不计分（免考、不适用或不在有效期内），它的得分只能在 sum、avg 等汇总或总分中使用",
        "indicator `{name}` may not be scored (exempt, not applicable or not in force); "
        "use its score only in aggregates (sum, avg, ...) or the total",
    ),
    "E0411.help": (
        "把它放进一个 collections 集合并用 sum() 等汇总",
        "put it in a collection and aggregate it with sum() and friends",
    ),
    "E0412": ("未知的{kind} `{name}`", "unknown {kind} `{name}`"),
    "E0413": (
        "`{person}` 不是科室 `{section}` 的人员，不能担任其负责人或联络员",
        "`{person}` is not a member of section `{section}` and cannot be its head or liaison",
    ),
    "E0413.label": ("此人属于这个科室", "this person belongs to this section"),
    "E0414": (
        "`{name}` 既不是科室编号，也不是科室标签",
        "`{name}` is neither a section id nor a section tag",
    ),
    "E0414.help": (
        "在 organization 的 sections 中为科室加上这个标签（tags），或改用科室编号",
        "add this tag to sections in the organization (tags), or use a section id",
    ),
    "E0415": (
        "生效日期 {start} 晚于失效日期 {end}",
        "the rule takes effect on {start}, after it ends on {end}",
    ),
    "E0416": (
        "加减分项目 `{id}` 需要写明每次的分值 per，且不能写 veto",
        "bonus or deduction item `{id}` needs `per` (points per occurrence) and no `veto`",
    ),
    "E0417": (
        "否决项目 `{id}` 需要写明 veto: fail（一票否决）或 veto: no_excellent（一票否优），且不能写 per 或 cap",
        "veto item `{id}` needs `veto: fail` or `veto: no_excellent`, and no `per` or `cap`",
    ),
    "E0418": (
        "并列排序键 `{text}` 应写成“名称”或“名称 ascending”",
        "tie-breaker `{text}` must be a name, optionally followed by `ascending`",
    ),
    "E0419": ("{what} 不是{allowed}", "{what} is not {allowed}"),
    "E0419.ranking": ("排名依据 `{name}`", "ranking key `{name}`"),
    "E0419.ranking_keys": (
        "总分、基础分、取值或指标编号",
        "total, base, a value or an indicator id",
    ),
    "E0419.monotone": ("monotone 中的 `of: {name}`", "`of: {name}` in `monotone`"),
    "E0419.monotone_keys": (
        "指标编号、base 或 total",
        "an indicator id, `base` or `total`",
    ),
    "E0419.monotone_help": (
        "monotone 检验一个得分不随输入反向变化，of 写指标编号、base 或 total；"
        "关于取值或输入字段的陈述，请改写为 always 性质",
        "`monotone` checks that a score never moves against an input: write an indicator id, "
        "`base` or `total` as `of`; for a value or an input, write an `always` property instead",
    ),
    "E0420": (
        "等次 `{grade}` 的分数线 {minimum} 高于上一等次的分数线 {previous}",
        "grade `{grade}` has threshold {minimum}, above the previous grade's {previous}",
    ),
    "E0421": ("名额比例必须在 0 到 100% 之间", "a quota share must be between 0 and 100%"),
    "E0422": ("等次 `{grade}` 重复", "grade `{grade}` is listed twice"),
    "E0426": (
        "集合 `{name}` 的成员类型不一致（数值与真假值混在一起）",
        "collection `{name}` mixes members of different types",
    ),
    "E0423": (
        "输入 `{name}` 缺失时免考（missing: exempt），只能在指标的 let 或计分公式中使用",
        "input `{name}` may be absent (missing: exempt); only indicators (their let and "
        "score) may read it",
    ),
    "E0423.help": (
        "把用到它的计算移到指标的 let 中，或为它声明 default",
        "move the computation into an indicator's let, or declare a default for the input",
    ),
    "E0424": (
        "指标有生效日期时，清单必须写明 full_marks（满分）",
        "with effective dates on indicators, the manifest must declare full_marks",
    ),
    "E0424.help": (
        "各时段生效指标的分值合计可能不同，请写明总分按多少分折算，例如 full_marks: 100",
        "the points in force differ across the year; say what totals are scaled to, "
        "e.g. full_marks: 100",
    ),
    "E0424.people": (
        "个人指标有生效日期时，请在 people 中写明 full_marks（个人满分）",
        "with effective dates on people's indicators, declare people.full_marks",
    ),
    "E0433": (
        "个人指标（subjects: person）需要组织架构（organization）中的人员",
        "people's indicators (subjects: person) need the people of an organization",
    ),
    "E0819": (
        "汇总期间 {period} 内各季度的权重合计为 0",
        "the weights of the quarters in {period} add up to zero",
    ),
    "E0427": (
        "`{name}` 是内置名称，不能另行定义",
        "`{name}` is a built-in name and cannot be redefined",
    ),
    "E0428": (
        "默认值 {value} 超出该输入的允许范围 {low} 至 {high}",
        "default {value} is outside the input's range {low} to {high}",
    ),
    "E0429": (
        "输入 `{name}` 不能同时写 default 和 missing: exempt",
        "input `{name}` cannot have both a default and `missing: exempt`",
    ),
    "E0430": (
        "`{name}` 不是季度：权重的键应为 Q1、Q2、Q3 或 Q4",
        "`{name}` is not a quarter: weights are keyed Q1, Q2, Q3 or Q4",
    ),
    "E0431": (
        "按权重汇总（weighted）需要写明各季度的 weights",
        "a weighted roll-up needs `weights` for the quarters",
    ),
    "E0432": (
        "个人的结果运用不能指向 `{to}`（负责人、联络员、科室人员只对科室适用）",
        "a person's link cannot go `to: {to}` (head, liaison and members are for sections)",
    ),
    "E0434": (
        "性质 `{id}` 需要且只能写 always、pairwise、monotone 中的一个",
        "property `{id}` needs exactly one of `always`, `pairwise` and `monotone`",
    ),
    "E0437": ("`other(...)` 只能包含一个名称", "`other(...)` takes exactly one name"),
    "E0437.help": (
        "pairwise 性质中，other(total) 表示另一个对象的 total",
        "in a pairwise property, other(total) is the other subject's total",
    ),
    "E0435": (
        "monotone 中的 `input: {name}` 不是{subjects}的数值型输入字段",
        "`input: {name}` in `monotone` is not a numeric input field for {subjects}",
    ),
    "E0435.help": (
        "input 写{subjects}的一个数值型输入字段（number、integer、percent、money 或 count）；"
        "要说明得分与取值或其他名称的关系，请改写为 always 性质",
        "name a numeric input (number, integer, percent, money or count) for {subjects}; "
        "to relate a score to a value or anything else, write an `always` property instead",
    ),
    "E0435.type": (
        "`{name}` 是{type}，不是数值：monotone 逐步增大 input 来检验，"
        "它必须是 number、integer、percent、money 或 count 类型的输入",
        "`{name}` is {type}, not a number: `monotone` raises its input step by step, so it "
        "must be a number, integer, percent, money or count input",
    ),
    "E0438": (
        "{kind} `{id}` 的考核对象是个人（subjects: person），但规则集不考核个人"
        "（没有个人指标，也没有 people 段），它不会被应用",
        "{kind} `{id}` is for people (`subjects: person`), but the rules assess no people "
        "(no person indicators, no `people:`), so it would never apply",
    ),
    "E0438.help": (
        "要考核个人，加上个人指标（subjects: person）和组织中的人员，或 people 段；"
        "如果它针对科室，删去 subjects: person",
        "to assess people, add person indicators (with the people of an organization) or a "
        "`people:` section; if it is about sections, remove `subjects: person`",
    ),
    "E0436": (
        "`within` 只用于累计的历史条件（consecutive: false）；这条结果运用的历史条件是连续 {years} 年",
        "`within` counts only in a cumulative history (`consecutive: false`); this link's history is {years} consecutive years",
    ),
    "E0436.help": (
        "写 consecutive: false 表示“近 {within} 年中有 {years} 年”，或删去 within",
        'write `consecutive: false` for "in {years} of the last {within} years", or remove `within`',
    ),
    # -- types --------------------------------------------------------------
    "E0501": (
        "类型不匹配：`{op}` 需要{expected}，这里是{found}",
        "type mismatch: `{op}` needs {expected}, found {found}",
    ),
    "E0501.label": ("这个值是{found}", "this is {found}"),
    "E0502": (
        "`{what}` 的两个分支类型不同：{left} 与 {right}",
        "the branches of `{what}` have different types: {left} and {right}",
    ),
    "E0503": (
        "比较的两边类型不同：{left} 与 {right}",
        "compared values have different types: {left} and {right}",
    ),
    "E0504": ("{what}应为{expected}，这里是{found}", "{what} must be {expected}, found {found}"),
    "E0505": (
        "`{value}` 不是等级表 `{enum}` 中的取值",
        "`{value}` is not a level of `{enum}`",
    ),
    "E0506": ("取整位数必须是 0 到 10 的整数", "places must be a whole number from 0 to 10"),
    "E0507": (
        "等级表 `{enum}` 没有为 `{level}` 规定分值",
        "level table misses `{level}` of `{enum}`",
    ),
    "E0508": ("等级计分需要一个等级类型的输入", "level scoring needs a level-typed input"),
    "E0508.help": (
        "用 level_input 指明依据哪个输入字段（其类型为 level(…)）",
        "name the input with level_input; its type must be level(…)",
    ),
    # -- dependencies -------------------------------------------------------
    "E0601": ("循环依赖：{chain}", "circular definition: {chain}"),
    "E0601.step": ("`{name}` 依赖 `{next}`", "`{name}` depends on `{next}`"),
    "E0601.help": (
        "取值之间不能互相依赖，请打断这个环",
        "values cannot depend on each other in a circle; break the chain",
    ),
    # -- verification (jixiao verify) -------------------------------------------------
    "V0101": (
        "{start} 至 {end}，{kind}在效的指标分值合计 {sum} 分，不等于满分 {full} 分",
        "from {start} to {end} the {kind} indicators in force add up to {sum} points, not full marks {full}",
    ),
    "V0102": (
        "总分在 {low} 至 {high} 之间时没有对应的等次（例如 {witness}）",
        "no grade for totals from {low} to {high} (e.g. {witness})",
    ),
    "V0103": (
        "等次 `{first}` 与 `{second}` 在 {low} 至 {high} 重叠，`{first}` 列在前面，优先评定",
        "grades `{first}` and `{second}` overlap from {low} to {high}; `{first}`, listed first, "
        "takes precedence",
    ),
    "V0104": (
        "等次 `{grade}` 不可能达到：总分最高只能是 {high}",
        "grade `{grade}` can never be reached: totals are at most {high}",
    ),
    "V0105": (
        "这个条件在它之前的分支之后不可能成立：{text}",
        "this branch can never be taken after the ones before it: {text}",
    ),
    "V0106": (
        "输入字段 `{name}` 已声明但没有被任何公式使用",
        "input `{name}` is declared but no formula uses it",
    ),
    "V0107": (
        "{subjects}{kind}合计上限 {cap} 永远不会起作用：{subjects}各{kind}项目的上限加起来最多只有 {most}",
        "the overall {kind} cap {cap} never binds for {subjects}: their {kind} items' own caps "
        "add up to at most {most}",
    ),
    "V0107.bonus": ("加分", "bonus"),
    "V0107.deduction": ("扣分", "deduction"),
    "V0108": (
        "指标 `{id}` 的扣分上限 {cap} 不小于分值 {points}，永远不会起作用（扣完为止已经封底）",
        "indicator `{id}`: its deduction cap {cap} is not below its points {points} and never binds",
    ),
    "V0109": (
        "指标 `{id}` 永远拿不到满分：最高 {high} 分，满分 {points} 分",
        "indicator `{id}` can never score full marks: at most {high} of {points}",
    ),
    "V0110": (
        "指标 `{id}` 的得分范围 {bounds} 超出 0 至 {points} 分",
        "indicator `{id}` may score {bounds}, outside 0 to {points}",
    ),
    "V0111": (
        "结果运用 `{id}` 引用了不存在的等次 `{grade}`，永远不会触发",
        "link `{id}` refers to grade `{grade}`, which no band gives: it never fires",
    ),
    "V0112": (
        "等次 `{grade}` 的名额在 {size} 个考核对象的范围内取整后为 0，无人能评上",
        "grade `{grade}`: its quota rounds to no place in a pool of {size}, so nobody can get it",
    ),
    "V0113": (
        "等次 `{grade}` 的最少名额 {least} 多于范围内的考核对象数 {size}",
        "grade `{grade}`: at_least {least} exceeds the pool of {size}",
    ),
    "V0201": (
        "性质 `{id}`（{name}）不成立：{period} 的 {subject} 是反例",
        "property `{id}` ({name}) does not hold: {subject} in {period} is a counterexample",
    ),
    "V0201.help": (
        "反例已作为规则测试打印在标准输出；粘贴到规则集 tests/ 下的测试文件，用 jixiao test 复现",
        "the counterexample is printed on standard output as a rule test; paste it into a "
        "file of the rules' tests/ folder and reproduce it with jixiao test",
    ),
    "property.holds": (
        "性质 {id}（{name}）：在 {examples} 组生成数据上成立",
        "property {id} ({name}): holds on {examples} generated cases",
    ),
    "property.fails": (
        "性质 {id}（{name}）不成立，最小反例：{values}",
        "property {id} ({name}) fails; smallest counterexample: {values}",
    ),
    "property.test": (
        "复现该反例的规则测试（粘贴到规则集 tests/ 下测试文件的 cases: 中，修正规则后它会通过）：",
        "a rule test reproducing it (paste it under `cases:` in a file of the rules' tests/ "
        "folder; it passes once the rules are fixed):",
    ),
    # -- evaluation ---------------------------------------------------------
    "E0701": (
        "除数为零（考核对象 {subject}，期间 {period}）",
        "division by zero (subject {subject}, period {period})",
    ),
    "E0701.help": (
        "如果除数可能为零，改用 safe_div(被除数, 除数, 为零时的值)",
        "if the divisor can be zero, write safe_div(dividend, divisor, value_if_zero)",
    ),
    "E0702": (
        "取值超出范围：{problem}（考核对象 {subject}，期间 {period}）",
        "value out of range: {problem} (subject {subject}, period {period})",
    ),
    "E0703": (
        "数值运算出错：{problem}（考核对象 {subject}，期间 {period}）",
        "arithmetic error: {problem} (subject {subject}, period {period})",
    ),
    "E0704": (
        "等级 `{value}` 在等级表中没有分值（考核对象 {subject}，期间 {period}）",
        "level `{value}` has no entry in the table (subject {subject}, period {period})",
    ),
    # -- data ---------------------------------------------------------------
    "E0801": ("找不到数据文件 {path}", "data file {path} not found"),
    "E0802": (
        "第 {row} 行「{column}」列：`{text}` 不是数值",
        "row {row}, column {column}: `{text}` is not a number",
    ),
    "E0802.help": (
        "数值只写阿拉伯数字，可带正负号、小数点和 %，千位可用逗号分隔（如 1,234.5）；"
        "不能用科学计数法、全角数字或以逗号作小数点",
        "write digits with an optional sign, decimal point and %, thousands may be grouped "
        "with commas (1,234.5); no exponents, full-width digits or decimal commas",
    ),
    "E0803": (
        "第 {row} 行「{column}」列为空，但该字段必须填写",
        "row {row}, column {column} is empty but the field is required",
    ),
    "E0803.help": (
        "填写该值，或在规则中为该输入声明 missing（缺失时的处理）",
        "fill in the value, or declare `missing` for this input in the rules",
    ),
    "E0804": ("缺少数据列「{column}」", "missing data column {column}"),
    "E0805": (
        "第 {row} 行：考核对象 `{subject}` 在同一期间重复出现（第一次在 {first}）",
        "row {row}: subject `{subject}` appears twice for the period (first at {first})",
    ),
    "E0806": (
        "第 {row} 行「{column}」列：`{text}` 不是 {enum} 的取值（可选：{members}）",
        "row {row}, column {column}: `{text}` is not a level of {enum} (one of: {members})",
    ),
    "E0807": (
        "第 {row} 行「{column}」列：`{text}` 超出允许范围 {low} 至 {high}",
        "row {row}, column {column}: `{text}` is outside the allowed range {low} to {high}",
    ),
    "E0808": (
        "第 {row} 行「{column}」列：`{text}` 不是有效的{kind}",
        "row {row}, column {column}: `{text}` is not a valid {kind}",
    ),
    "E0809": (
        "第 {row} 行：组织中没有考核对象 `{subject}`",
        "row {row}: there is no subject `{subject}` in the organization",
    ),
    "E0809.help": (
        "填写组织文件中的科室或人员编号，或在 organization 中加上它",
        "use a section or person id from the organization file, or add it there",
    ),
    "E0810": (
        "第 {row} 行：`{text}` 不是考核期间（应写成 2016Q3 这样的季度）",
        "row {row}: `{text}` is not a period (write a quarter such as 2016Q3)",
    ),
    "E0811": (
        "期间 {period} 不在规则集适用的 {year} 年内",
        "period {period} is outside the rule set's year {year}",
    ),
    "E0812": (
        "`{text}` 不是考核期间：应写成 2016Q3、2016Q1..2016Q3 或 2016",
        "`{text}` is not a period: write 2016Q3, 2016Q1..2016Q3 or 2016",
    ),
    "E0813": (
        "{period} 包含多个季度，但规则中没有写明季度如何汇总（rollup）",
        "{period} spans several quarters, but the rules declare no roll-up (`rollup:`)",
    ),
    "E0814": (
        "考核对象 `{subject}` 在 {period} 有加减分事项，但没有该期间的数据行",
        "subject `{subject}` has item events in {period} but no data row for that period",
    ),
    "E0815": (
        "第 {row} 行：规则中没有加减分项目 `{item}`",
        "row {row}: there is no item `{item}` in the rules",
    ),
    "E0815.help": ("可用的项目：{items}", "items: {items}"),
    "E0816": (
        "第 {row} 行：项目 `{item}` 在 {date} 不在有效期内",
        "row {row}: item `{item}` is not in force on {date}",
    ),
    "E0817": (
        "人员 `{subject}` 所在科室 `{section}` 在 {period} 没有组织绩效结果",
        "person `{subject}`: section `{section}` has no result for {period}",
    ),
    "E0818": (
        "考核对象 `{subject}` 在汇总期间内缺少 {period} 的数据",
        "subject `{subject}` has no data for {period} within the roll-up",
    ),
    "E0820": (
        "第 {row} 行「{column}」列是公式，但工作簿中没有保存它的计算结果",
        "row {row}, column {column} holds a formula whose result was never saved in the workbook",
    ),
    "E0820.help": (
        "用 Excel 或 WPS 打开并保存该工作簿（会保存公式的结果），或把公式换成数值",
        "open and save the workbook in Excel or WPS (which saves formula results), "
        "or replace the formula with its value",
    ),
    "E0821": (
        "表头中「{column}」出现了两次（第 {first} 列和第 {again} 列）",
        "column {column} appears twice in the header (columns {first} and {again})",
    ),
    "E0821.help": (
        "删除或改名其中一列：两列中只能有一列是该输入的值",
        "delete or rename one of them: only one column can hold the input's values",
    ),
    "E0822": (
        "数据列「{column}」不是规则中的输入",
        "data column {column} is not an input of the rules",
    ),
    "W0801": (
        "数据列「{column}」不是规则中的输入，已忽略该列",
        "data column {column} is not an input of the rules; the column was ignored",
    ),
    # -- command line and files ----------------------------------------------
    "E0901": ("找不到规则集 {path}", "rule set {path} not found"),
    "E0902": ("无法读取文件 {path}：{problem}", "cannot read {path}: {problem}"),
    "E0903": ("文件 {path} 不是 UTF-8 编码", "file {path} is not UTF-8 text"),
    "E0914": ("结果库中没有编号为 {run} 的运行记录", "the results store has no run {run}"),
    "E0915": (
        "结果库校验不符：{what}（应为 {expected}，实为 {actual}）",
        "the results store fails its integrity check: {what} (expected {expected}, found {actual})",
    ),
    "E0915.help": (
        "已发布的结果或其数据在结果库之外被改动过：请从备份恢复结果库，并查明改动来源",
        "a published run or its data was changed outside jixiao: restore the store from a "
        "backup and find out who changed it",
    ),
    "E0904": (
        "数据中没有期间 {period} 的数据行",
        "the data has no rows for period {period}",
    ),
    "check.ok": (
        "{rules}：检查通过，共 {indicators} 个指标、{items} 个加减分项目、{inputs} 个输入字段。",
        "{rules}: no problems ({indicators} indicators, {items} items, {inputs} input fields).",
    ),
    "internal": (
        "jixiao 内部错误（这是程序的缺陷，不是规则或数据的问题）。请把以上信息报告给维护者。",
        "internal error in jixiao (a bug in the tool, not in your rules or data); "
        "please report the text above to the maintainers.",
    ),
    "E0905": ("没有名为 `{subject}` 的考核对象", "no subject named `{subject}`"),
    "E0906": (
        "名称 `{subject}` 对应多个考核对象（{ids}），请改用编号",
        "`{subject}` names several subjects ({ids}); use an id",
    ),
    "E0907": ("没有编号为 `{indicator}` 的指标", "no indicator with id `{indicator}`"),
    "E0908": ("无法读取规则 {spec}：{problem}", "cannot read the rules {spec}: {problem}"),
    "E0910": (
        "期间 {period} 的结果已经发布，发布后的结果不能覆盖或修改",
        "results for {period} are already published; published results are never overwritten",
    ),
    "E0911": (
        "结果库拒绝了这个操作：{problem}（已发布的结果不能修改或删除）",
        "the results store refused: {problem} (published runs cannot be changed or deleted)",
    ),
    "E0912": ("无法写入 {path}：{problem}", "cannot write {path}: {problem}"),
    "E0913": (
        "结果库 {path} 不存在（试运行只读取其中已发布的结果，不会新建结果库）",
        "the results store {path} does not exist (a dry-run only reads its published runs and creates no store)",
    ),
    "W0901": (
        "结果运用 `{link}` 需要 {period} 已发布的结果，结果库中没有，本次不适用该项",
        "link `{link}` needs the published results of {period}, which the store does not "
        "have; the link is not applied",
    ),
    "E0920": (
        "日期 {day} 超出节假日数据的范围（{first} 至 {last}），无法计算工作日",
        "{day} is outside the official holiday calendar's data ({first} to {last}); working days cannot be computed",
    ),
    "E0920.help": (
        "升级 chinesecalendar 包以取得该年度的节假日安排（国务院办公厅每年年底公布次年安排）",
        "upgrade the chinesecalendar package to get that year's holiday arrangements (the State Council publishes them at the end of the year before)",
    ),
    "E0921": (
        "规则集没有组织架构（organization），无法生成预警表",
        "the rule set declares no organization; there are no sections to warn",
    ),
    "E0921.help": (
        "在规则集中加入 organization.yaml，写明科室、负责人和绩效联络员",
        "add an organization (sections with their heads and liaisons) to the rule set",
    ),
    "E0922": (
        "日期 {date} 不在规则集适用的 {year} 年内",
        "date {date} is outside the rule set's year {year}",
    ),
    "E0922.help": (
        "预警表按该月所在年度的规则生成：请给出 {year} 年内的日期，或改用 {other} 年的规则集",
        "a month's tables come from the rules of its year: give a date in {year}, or use the "
        "rule set written for {other}",
    ),
    # -- type names (used inside other messages) ----------------------------
    "type.number": ("数值", "a number"),
    "type.bool": ("真假值", "a yes/no value"),
    "type.text": ("文字", "text"),
    "type.date": ("日期", "a date"),
    "type.period": ("考核期间", "a period"),
    "type.level": ("等级（{enum}）", "a level of {enum}"),
    "type.list": ("{elem}的集合", "a collection of {elem}"),
    "type.any": ("任意类型", "any type"),
    "kind.id": ("编号", "id"),
    "kind.group": ("考核组", "group"),
    "kind.section": ("科室", "section"),
    "kind.person": ("人员", "person"),
    "kind.input": ("输入字段", "input"),
    "kind.value": ("取值", "value"),
    "kind.indicator": ("指标", "indicator"),
    "kind.collection": ("集合", "collection"),
    "kind.property": ("性质", "property"),
    "subjects.section": ("科室", "sections"),
    "subjects.person": ("个人", "people"),
    # -- rule tests (jixiao test) -----------------------------------------
    "E1001.help": (
        "测试文件可用的键：period、defaults、cases；每个用例可用：name、period、population、"
        "sections、people、events、history、expect、properties",
        "a test file holds period, defaults and cases; a case holds name, period, "
        "population, sections, people, events, history, expect and properties",
    ),
    "E1002": ("没有编号为 `{subject}` 的科室或人员", "no section or person with id `{subject}`"),
    "E1002.help": (
        "科室和人员的编号见组织文件 organization.yaml",
        "the ids of sections and people are in the organization file",
    ),
    "E1003": ("没有名为 `{name}` 的输入项", "no input named `{name}`"),
    "E1003.help": ("可用的输入项：{inputs}", "the inputs are: {inputs}"),
    "E1004": (
        "没有编号为 `{item}` 的加减分或否决项目",
        "no bonus, deduction or veto item `{item}`",
    ),
    "E1004.help": ("可用的项目：{items}", "the items are: {items}"),
    "E1005": ("不能对 `{key}` 写期望值", "`{key}` cannot be expected"),
    "E1005.help": (
        "可写指标编号、total、base、bonus、deduction、加减分项目编号、指标的中间值（如 revenue.完成率）"
        "以及 {keys}",
        "expect an indicator id, total, base, bonus, deduction, an item id, an indicator's "
        "value (such as revenue.完成率) or one of {keys}",
    ),
    "E1006": (
        "`{key}` 的期望值无效：应为{expected}",
        "invalid expected value of `{key}`: {expected}",
    ),
    "E1006.number": (
        "数值，如 20、95.5 或 85%；未计分写 null",
        "a number such as 20, 95.5 or 85%; null for not scored",
    ),
    "E1006.bool": ("true 或 false", "true or false expected"),
    "E1006.date": ("日期，如 2016-04-01", "a date expected, such as 2016-04-01"),
    "E1006.rank": ("不小于 1 的整数", "a whole number of at least 1 expected"),
    "E1006.list": (
        "编号的列表，如 [section_excellent_head]",
        "a list of ids expected, such as [section_excellent_head]",
    ),
    "E1006.vetoes": ("fail、no_excellent 组成的列表", "a list of fail and no_excellent expected"),
    "E1006.cell": ("单个取值（数值、文字、档次）", "a single value expected (number, text, level)"),
    "E1006.duplicate": ("不重复的编号列表", "a list of ids, each once"),
    "E1006.rank_count": ("不大于 count 的排名", "a rank no greater than count"),
    "E1006.points": ("分数，如 85.5（不是百分比）", "points such as 85.5 (not a percentage)"),
    "E1007": ("没有等次 `{grade}`", "no grade `{grade}`"),
    "E1007.help": ("可用的等次：{grades}", "the grades are: {grades}"),
    "E1008": ("没有编号为 `{link}` 的结果运用", "no result link `{link}`"),
    "E1008.other": (
        "`{link}` 是另一类考核对象的结果运用；对象接收到的结果运用写在 receives 中",
        "`{link}` is a link of the other kind of subject; what a subject receives goes under `receives`",
    ),
    "E1009": ("没有编号为 `{id}` 的性质", "no declared property `{id}`"),
    "E1009.help": (
        "性质在规则文件的 properties 段中声明",
        "properties are declared in the rules' `properties` section",
    ),
    "E1010": (
        "规则没有个人绩效，不能测试 `{subject}`",
        "the rules do not assess people, so `{subject}` cannot be tested",
    ),
    "E1015": (
        "`{subject}` 是{kind}，应写在 {key} 下",
        "`{subject}` is a {kind}: list it under `{key}`",
    ),
    "E1016": (
        "历史结果的期间 `{period}` 应为 {year} 年以前的期间，如 2015Q2",
        "the history period `{period}` must be a period before {year}, such as 2015Q2",
    ),
    "E1011": ("`{path}` 中没有规则测试", "no rule tests in `{path}`"),
    "E1011.help": (
        "在规则集目录下建立 tests/ 文件夹，写入 YAML 测试用例（见 docs/language.md）",
        "create a tests/ folder in the rule set with YAML test cases (see docs/language.md)",
    ),
    "E1012": ("用例“{name}”没有写考评期间", "case “{name}” names no period"),
    "E1012.help": (
        "在用例或文件开头写 period，如 period: 2016Q2",
        "write period in the case or at the top of the file, e.g. period: 2016Q2",
    ),
    "E1013": (
        "`{period}` 不是 {year} 年的一个季度；规则测试每个用例评价一个季度，如 {year}Q2",
        "`{period}` is not a quarter of {year}; a rule test evaluates one quarter, e.g. {year}Q2",
    ),
    "E1014": (
        "事项日期 {date} 不在用例的考评期间 {period} 内",
        "the event's date {date} is outside the case's period {period}",
    ),
    "T0001": (
        "{subject} 的 {key}：期望 {expected}，实际 {actual}",
        "{subject} {key}: expected {expected}, got {actual}",
    ),
    "T0002": ("用例中没有评价 {subject}", "{subject} was not evaluated in this case"),
    "T0002.help": (
        "在用例的 sections 或 people 中列出它，或写 population: all",
        "list it under the case's sections or people, or write population: all",
    ),
    "T0003": (
        "性质 {id}（{name}）在本用例中不成立：{subject}",
        "property {id} ({name}) does not hold in this case: {subject}",
    ),
    "T0004": (
        "本用例中没有{kind}，无法检验性质 {id}",
        "no {kind} in this case to check property {id} on",
    ),
    "test.pass": ("通过", "PASS"),
    "test.fail": ("失败", "FAIL"),
    "test.error": ("无法运行", "ERROR"),
    "test.summary": (
        "{count} 个用例：{passed} 个通过，{failed} 个失败，{errors} 个无法运行",
        "{count} case(s): {passed} passed, {failed} failed, {errors} could not run",
    ),
    "coverage.title": ("覆盖率（规则测试到达的部分）", "coverage (what the rule tests reach)"),
    "coverage.total": ("合计", "total"),
    "coverage.missed": ("未覆盖：", "not covered:"),
    "coverage.unreachable": (
        "不计入覆盖率（jixiao verify 证明任何数据都到达不了）：",
        "left out (jixiao verify proves no data can reach them):",
    ),
    "coverage.grade": ("等次", "grade bands"),
    "coverage.quota": ("名额限制", "quotas"),
    "coverage.branch": ("公式分支", "formula branches"),
    "coverage.level": ("档次", "levels"),
    "coverage.cap": ("封顶", "caps"),
    "coverage.veto": ("否决", "vetoes"),
    "coverage.link": ("结果运用", "links"),
    "coverage.under": (
        "覆盖率 {percent}% 低于要求的 {required}%",
        "coverage {percent}% is below the required {required}%",
    ),
    "kind.levels": ("等级表", "level enumeration"),
    "kind.organization": ("组织", "organization"),
    "kind.item": ("加减分项目", "item"),
    "kind.total": ("总分公式", "total formula"),
    "kind.link": ("结果运用", "link"),
    "kind.section_block": ("规则段", "section"),
    "what.score": ("计分公式", "the score formula"),
    "what.condition": ("条件", "a condition"),
    "what.total": ("总分公式", "the total formula"),
    # -- words of reports and tables (runtime.render, runtime.tools) ------------
    # Looked up with ``text`` (one word or template) or ``texts`` (every key
    # under a prefix); templates are filled by the renderer that uses them.
    "explain.total": ("总分", "total"),
    "explain.rank": ("名次", "rank"),
    "explain.grade": ("等次", "grade"),
    "explain.base": ("基础分", "base score"),
    "explain.adjust": ("加减分", "adjustments"),
    "explain.veto": ("否决", "vetoes"),
    "explain.none": ("无", "none"),
    "explain.exempt": ("免考（缺少数据）", "exempt (data absent)"),
    "explain.not_applicable": ("不适用", "not applicable"),
    "explain.not_in_force": ("不在有效期内", "not in force"),
    "explain.data": ("数据", "data"),
    "explain.no_data": ("无数据（该期间未采集）", "no data (not collected in that period)"),
    "explain.normalized": (
        "适用指标得分之和 × {full} ÷ 适用分值 {applicable}",
        "sum of applicable scores × {full} ÷ applicable points {applicable}",
    ),
    "explain.sum": ("各指标得分之和", "sum of indicator scores"),
    "explain.events": ("{count} 次", "{count} occurrence(s)"),
    "explain.reason": ("事由", "reason"),
    "explain.evidence": ("依据", "evidence"),
    "explain.cap": ("合计封顶", "overall cap"),
    "explain.combine": (
        "个人得分 × {own} + 科室总分 × {section}",
        "own score × {own} + section total × {section}",
    ),
    "explain.section_total": ("所在科室总分", "section total"),
    "explain.of": ("满分", "of"),
    "explain.ungraded": ("未定等次", "ungraded"),
    "explain.quarters": ("各季度总分", "quarter totals"),
    "explain.veto.fail": ("一票否决", "one-vote veto"),
    "explain.veto.no_excellent": ("一票否优", "veto of excellence"),
    "explain.colon": ("：", ": "),
    "explain.semicolon": ("；", "; "),
    "explain.rollup.average": ("各季度的平均", "average of the quarters"),
    "explain.rollup.sum": ("各季度之和", "sum of the quarters"),
    "explain.rollup.weighted": ("各季度的加权平均", "weighted average of the quarters"),
    "explain.open": ("（", " ("),
    "explain.comma": ("，", ", "),
    "explain.close": ("）", ")"),
    "dryrun.text.title": (
        "试算：{candidate} 对比 {baseline}",
        "Dry-run: {candidate} against {baseline}",
    ),
    "dryrun.text.changed": (
        "{period}：{changed} 个考核对象有变化（共 {total} 个）",
        "{period}: {changed} of {total} subjects change",
    ),
    "dryrun.text.none": ("无变化", "no change"),
    "dryrun.text.matrix": ("等次变化", "grade transitions"),
    "dryrun.text.quota": ("名额使用", "quota use"),
    "dryrun.text.published": ("与已发布结果比较", "against published results"),
    "dryrun.text.reproduced": (
        "基准规则重现了已发布结果",
        "the baseline reproduces the published results",
    ),
    "dryrun.text.differ": (
        "以下考核对象与已发布结果不同：{ids}",
        "these subjects differ from the published results: {ids}",
    ),
    "dryrun.text.section": ("科室", "section"),
    "dryrun.text.person": ("个人", "person"),
    "dryrun.text.gained": ("新增", "gains"),
    "dryrun.text.lost": ("取消", "loses"),
    "dryrun.text.rank": ("名次", "rank"),
    "dryrun.html.title": ("规则修订试算报告", "Dry-run report"),
    "dryrun.html.baseline": ("现行规则", "baseline"),
    "dryrun.html.candidate": ("修订规则", "candidate"),
    "dryrun.html.changed": (
        "{changed} 个考核对象有变化（共 {total} 个）",
        "{changed} of {total} subjects change",
    ),
    "dryrun.html.matrix": (
        "等次变化矩阵（行：现行，列：修订）",
        "Grade transitions (rows: baseline, columns: candidate)",
    ),
    "dryrun.html.quota": ("名额使用", "Quota use"),
    "dryrun.html.grade": ("等次", "grade"),
    "dryrun.html.group": ("范围", "pool"),
    "dryrun.html.before": ("现行", "baseline"),
    "dryrun.html.after": ("修订", "candidate"),
    "dryrun.html.subjects": ("各考核对象", "Subjects"),
    "dryrun.html.subject": ("考核对象", "subject"),
    "dryrun.html.rank": ("名次", "rank"),
    "dryrun.html.consequences": ("结果运用变化", "consequences"),
    "dryrun.html.distribution": ("总分分布（{kind}）", "Score distribution ({kind})"),
    "dryrun.html.shifts": ("名次变化（{kind}）", "Rank shifts ({kind})"),
    "dryrun.html.section": ("科室", "sections"),
    "dryrun.html.person": ("个人", "people"),
    "dryrun.html.gained": ("新增", "gains"),
    "dryrun.html.lost": ("取消", "loses"),
    "dryrun.html.reproduced": (
        "现行规则重现了已发布的结果。",
        "The baseline reproduces the published results.",
    ),
    "dryrun.html.differ": (
        "以下考核对象与已发布结果不同：{ids}",
        "These subjects differ from the published results: {ids}",
    ),
    "verify.bounds.section": ("科室：可证明的得分范围", "sections: proven bounds"),
    "verify.bounds.person": ("个人：可证明的得分范围", "people: proven bounds"),
    "verify.bounds.of": ("满分", "of"),
    "verify.bounds.base": ("基础分", "base"),
    "verify.bounds.bonus": ("加分", "bonus"),
    "verify.bounds.deduction": ("扣分", "deduction"),
    "verify.bounds.total": ("总分", "total"),
    "table.status.not_applicable": ("不适用", "n/a"),
    "table.status.exempt": ("免考", "exempt"),
    "table.status.no_data": ("无数据", "no data"),
    "table.veto.fail": ("一票否决", "fail"),
    "table.veto.no_excellent": ("一票否优", "no excellent"),
    "table.ungraded": ("未定等次", "ungraded"),
    "table.head.rank": ("名次", "rank"),
    "table.head.subject": ("考核对象", "subject"),
    "table.head.total": ("总分", "total"),
    "table.head.grade": ("等次", "grade"),
    "table.head.base": ("基础分", "base"),
    "table.head.adjust": ("加减分", "adjust"),
    "table.head.veto": ("否决", "veto"),
    "warn.cadence.monthly": ("月度", "monthly"),
    "warn.cadence.quarterly": ("季度", "quarterly"),
    "warn.cadence.half_year": ("半年", "half-year"),
    "warn.cadence.annual": ("年度", "annual"),
    "warn.method.formula": ("按计分公式计分", "by formula"),
    "warn.method.levels": ("按评价档次计分", "by levels"),
    "warn.method.machine": ("机考（取信息系统数据）", "machine-scored (system data)"),
    "warn.method.deduct": ("按次扣分", "deductions per occurrence"),
    "warn.subjects.section": ("科室", "section"),
    "warn.subjects.person": ("个人", "people"),
    "warn.standard": ("{points} 分，{how}", "{points} points, {how}"),
    "warn.title": ("指标填报预警提醒表", "indicator early-warning table"),
    "warn.month": ("{year}年{month}月", "{year}-{month:02d}"),
    "warn.first": (
        "一、首次预警（每月初发送，科室负责人签字）",
        "1. First warnings (sent at the start of the month, signed by the section head)",
    ),
    "warn.second": (
        "二、二次预警（截止日期前 {days} 个工作日发送，绩效联络员签字）",
        "2. Second warnings (sent {days} working days before the due date, signed by the liaison)",
    ),
    "warn.empty": ("（本月没有考核节点）", "(no checkpoints this month)"),
    "warn.first.id": ("指标编号", "id"),
    "warn.first.indicator": ("指标名称", "indicator"),
    "warn.first.cadence": ("考核周期", "cadence"),
    "warn.first.checkpoint": ("考核节点", "checkpoint"),
    "warn.first.due": ("截止日期", "due"),
    "warn.first.standard": ("考核标准", "standard"),
    "warn.first.subjects": ("考核对象", "subjects"),
    "warn.first.section": ("被考核科室", "section"),
    "warn.first.head": ("科室负责人（签字）", "head (signature)"),
    "warn.first.assessor": ("考核科室", "assessor"),
    "warn.second.remind_on": ("提醒日期", "remind on"),
    "warn.second.section": ("被考核科室", "section"),
    "warn.second.liaison": ("绩效联络员（签字）", "liaison (signature)"),
    "warn.second.id": ("指标编号", "id"),
    "warn.second.indicator": ("指标名称", "indicator"),
    "warn.second.subjects": ("考核对象", "subjects"),
    "warn.second.checkpoint": ("考核节点", "checkpoint"),
    "warn.second.due": ("截止日期", "due"),
    "warn.sheet.first": ("首次预警", "first warnings"),
    "warn.sheet.second": ("二次预警", "second warnings"),
    "diff.thing.indicator": ("指标", "indicator"),
    "diff.thing.item": ("加减分项目", "item"),
    "diff.thing.grade": ("等次", "grade"),
    "diff.thing.link": ("结果运用", "link"),
    "diff.thing.setting": ("规则集设置", "rule-set setting"),
    "diff.thing.property": ("性质", "property"),
    "diff.field.name": ("名称", "name"),
    "diff.field.points": ("分值", "points"),
    "diff.field.category": ("类别", "category"),
    "diff.field.cadence": ("考评周期", "cadence"),
    "diff.field.method": ("计分方法", "scoring method"),
    "diff.field.applies_to": ("适用范围", "applies to"),
    "diff.field.effective_from": ("生效日期", "in force from"),
    "diff.field.effective_until": ("失效日期", "in force until"),
    "diff.field.round": ("取整", "rounding"),
    "diff.field.levels": ("档次分值", "level table"),
    "diff.field.formula": ("计分公式", "formula"),
    "diff.field.per": ("每次分值", "points per occurrence"),
    "diff.field.cap": ("上限", "cap"),
    "diff.field.kind": ("类型", "kind"),
    "diff.field.veto": ("否决", "veto"),
    "diff.field.min": ("分数线", "threshold"),
    "diff.field.requires": ("前提条件", "prerequisite"),
    "diff.field.quota": ("名额", "quota"),
    "diff.field.blocked_by": ("否决限制", "blocked by"),
    "diff.field.when": ("条件", "condition"),
    "diff.field.history": ("历史条件", "history"),
    "diff.field.to": ("对象", "goes to"),
    "diff.field.effect": ("结果", "effect"),
    "diff.field.version": ("版本", "version"),
    "diff.field.places": ("小数位", "decimal places"),
    "diff.field.rounding": ("取整方式", "rounding mode"),
    "diff.field.full_marks": ("满分", "full marks"),
    "diff.field.ranking": ("排名依据", "ranking keys"),
    "diff.field.rollup": ("汇总方式", "roll-up"),
    "diff.field.combine": ("个人总分合成", "person's total"),
    "diff.field.max": ("分数上限", "upper bound"),
    "diff.field.due_days": ("考评期限（天）", "days to assess"),
    "diff.field.bonus_cap": ("加分合计上限", "bonus cap"),
    "diff.field.deduction_cap": ("扣分合计上限", "deduction cap"),
    "diff.field.always": ("恒成立条件", "always"),
    "diff.field.monotone": ("单调性", "monotone"),
    "diff.field.pairwise": ("两两关系", "pairwise"),
    "diff.let": ("中间值 {name}", "value {name}"),
    "diff.same": ("{old} 与 {new} 没有差别。", "No differences between {old} and {new}."),
    "diff.added": ("+ 新增{label}{detail}  [{at}]", "+ added {label}{detail}  [{at}]"),
    "diff.removed": ("- 删除{label}{detail}  [{at}]", "- removed {label}{detail}  [{at}]"),
    "diff.detail": ("，{field} {value}", ", {field} {value}"),
    "diff.changed": (
        "~ {label}的{field}：{old} → {new}  [{at}]",
        "~ {label}: {field} {old} → {new}  [{at}]",
    ),
    "diff.none": ("（无）", "(none)"),
    "diff.summary": (
        "新增 {added} 项，删除 {removed} 项，修改 {changed} 处。",
        "{added} added, {removed} removed, {changed} changed.",
    ),
    "runs.published": ("已发布", "published"),
}


def render_message(code: str, lang: str, args: Mapping[str, object]) -> str:
    """The text of ``code`` in ``lang`` with ``args`` filled in.

    Arguments that are themselves message keys (``type.…``) are rendered in the
    same language, so a type name reads naturally in either language.
    """
    zh, en = MESSAGES[code]
    template = zh if lang == "zh" else en
    values = {key: _render_arg(value, lang) for key, value in args.items()}
    return template.format_map(values)


def text(key: str, lang: str) -> str:
    """The text of ``key`` in ``lang`` as written: a word, or a template whose
    placeholders the caller fills (a renderer with its own number formats)."""
    zh, en = MESSAGES[key]
    return zh if lang == "zh" else en


def texts(prefix: str, lang: str) -> dict[str, str]:
    """Every text under ``prefix`` (keys ``prefix.…``) in ``lang``, keyed by the
    rest of the key: the words of one report or table, looked up by name."""
    start = prefix + "."
    return {
        key[len(start) :]: (zh if lang == "zh" else en)
        for key, (zh, en) in MESSAGES.items()
        if key.startswith(start)
    }


def _render_arg(value: object, lang: str) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], str) and value[0] in MESSAGES:
        key, nested = value[0], (value[1] if len(value) > 1 else {})
        assert isinstance(nested, Mapping)
        return render_message(key, lang, nested)
    return str(value)
