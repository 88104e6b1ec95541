// The surface syntax of .net files (docs/language.md, spec §1).
//
// Newlines are not significant: layers may share a line and a chain may
// continue on the next line. That works because no expression can be directly
// followed by another expression (there is no juxtaposition), so the parser
// always knows where a statement ends; and because a statement cannot begin
// with '(' or '-' (see stmtExpr), it knows it from the next token alone.
//
// Rule names avoid C++ keywords (the C++ target turns them into methods), and
// keywords are written as literals so the generated lexer gives them
// precedence over ID.
grammar Net;

netFile : topDecl* EOF ;

topDecl
  : networkDecl
  | blockDecl
  | datasetDecl
  | experimentDecl
  ;

networkDecl : 'network' ID paramList? '{' netStmt* '}' ;
blockDecl   : 'block' ID paramList? '{' netStmt* '}' ;
paramList   : '(' (paramDecl (',' paramDecl)* ','?)? ')' ;
paramDecl   : ID ('=' expr)? ;

// Statements of a network or block body. A layer statement is any expression:
// a layer (`relu`, `conv2d(8, 3)`), a block call, `add(a, b)` or a chain.
netStmt
  : 'defaults' ID (',' ID)* '(' argList? ')'   # DefaultsStmt
  | 'input' expr                               # InputStmt
  | 'repeat' expr '{' netStmt* '}'             # RepeatStmt
  | 'let' ID '=' expr                          # NetLetStmt
  | stmtExpr                                   # LayerStmt
  ;

datasetDecl    : 'dataset' ID '=' expr ;
// `experiment e (seeds: 5) { ... }`: options of the whole experiment.
experimentDecl : 'experiment' ID ('(' argList? ')')? '{' expStmt* '}' ;

expStmt
  : 'let' ID '=' expr                                  # ExpLetStmt
  | 'train' expr 'on' expr '{' trainItem* '}'          # TrainStmt
  | 'report' expr (',' expr)*                          # ReportStmt
  | 'for' ID 'in' expr '{' expStmt* '}'                # ForStmt
  | 'crossvalidate' ID 'in' expr (',' arg)* '{' expStmt* '}' # CrossValidateStmt
  | 'select' ID ID (',' arg)*                          # SelectStmt
  | 'save' expr 'to' expr                              # SaveStmt
  | 'load' ID 'from' expr                              # LoadStmt
  | stmtExpr                                           # ExpExprStmt
  ;

// `key: value`, separated by commas or newlines.
trainItem : ID ':' expr ','? ;

argList : arg (',' arg)* ','? ;
arg     : (argName ':')? expr ;
// `train` is also a keyword; let it name an argument (csv(train: "a.csv")).
argName : ID | 'train' ;

// An expression used as a statement: a layer, call or name, a chain that
// starts with one, or an if. Statements are not separated, so one that began
// with '(' or '-' would also continue the statement before it (`relu (x)` a
// call, `a -b` a difference): ANTLR resolves such ambiguities only by looking
// ahead to the end of the construct, in time quadratic in its nesting and
// with recursion that overflows the stack on deep input.
stmtExpr
  : 'if' expr 'then' expr 'else' expr  # StmtIf
  | primary ('->' expr)?               # StmtChain
  ;

// Precedence from tightest to loosest (ANTLR: earlier alternative binds
// tighter): member, unary minus, * /, + -, .., comparisons, not, and, or, ->,
// if-then-else. `->` binds looser than arithmetic so `in -> conv2d(2 * f, 1)`
// needs no parentheses, and `if` is loosest so its branches may be chains.
expr
  : primary                                           # PrimaryExpr
  | '(' expr ')'                                      # ParenExpr
  | expr '.' memberName                               # MemberExpr
  | '-' expr                                          # NegExpr
  | expr op=('*' | '/') expr                          # MulExpr
  | expr op=('+' | '-') expr                          # AddExpr
  | expr '..' expr                                    # RangeExpr
  | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr # CmpExpr
  | 'not' expr                                        # NotExpr
  | expr 'and' expr                                   # AndExpr
  | expr 'or' expr                                    # OrExpr
  | expr '->' expr                    # ChainExpr
  | 'if' expr 'then' expr 'else' expr                 # IfExpr
  ;

// `.train` is also a keyword; let it name a split.
memberName : ID | 'train' ;

primary
  : INT                                   # IntLit
  | FLOAT                                 # FloatLit
  | STRING                                # StringLit
  | ('true' | 'false')                    # BoolLit
  | 'in'                                  # InLit
  | ID '(' argList? ')'                   # CallLit
  | ID                                    # NameLit
  | '[' (expr (',' expr)* ','?)? ']'      # ListLit
  ;

INT    : [0-9]+ ;
FLOAT  : [0-9]+ '.' [0-9]+ EXPONENT? | [0-9]+ EXPONENT ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;
ID     : [a-zA-Z_] [a-zA-Z_0-9]* ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;
// Anything else becomes a token the parser rejects with a location, instead
// of the lexer printing "token recognition error" and dropping it silently.
BAD_CHAR : . ;
